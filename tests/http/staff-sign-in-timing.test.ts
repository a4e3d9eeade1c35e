import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableStaffMember } from '~/staff/staff-accounts.server'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { STAFF_LOCK_AFTER_FAILURES } from '~db/staff-members'
import { type Page, Visitor, withoutTokens } from '../support/check-visitor'
import { filledDatabase } from '../support/migrated-database'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'
import { compareTimings, timingSummary } from '../support/timing'

/**
 * No staff enumeration by the clock: a staff sign-in with an address nobody
 * holds takes as long as one refused for a known account (a wrong password, a
 * locked account, a disabled one), and gets the same status and page. Each
 * comparison interleaves the two kinds (see tests/support/timing.ts) against
 * the built server; the per-IP limits are raised so that only the difference
 * under test could tell the answers apart. Afterwards the audit log says which
 * refusal each known try was, so a sample cannot quietly measure another path
 * (a wrong password that locked its account, say).
 */

/**
 * Tries of each kind per comparison. Every try pays one argon2 verification, whose time
 * on a shared 2-core machine spreads over many milliseconds; the difference of two
 * medians of n tries wanders by about 1.3 × IQR / √n, so 200 keep it under a third of
 * the bar (IQR/3) and a fair comparison does not fail by chance.
 */
const TRIES = 200
const WARM_UP = 6
/** The gap between the medians must stay under this, or a third of the measured spread if that is larger. */
const MIN_BAR_MS = 1
/** A wrong password counts towards the lock: each account takes one fewer than locks it. */
const WRONG_USES_EACH = STAFF_LOCK_AFTER_FAILURES - 1
/**
 * A locked or disabled account's tries count only against its address (15 failures an
 * hour, known or not): each takes a dozen, short of that limit.
 */
const REFUSED_USES_EACH = 12
const PASSWORD = 'not the password of anyone here'

const accountsFor = (usesEach: number) => Math.ceil((WARM_UP + TRIES) / usesEach)
const address = (kind: string, i: number) => `${kind}-${i}.staff@example.jp`
const KINDS = {
  wrong: accountsFor(WRONG_USES_EACH),
  locked: accountsFor(REFUSED_USES_EACH),
  disabled: accountsFor(REFUSED_USES_EACH),
} as const

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

let directory: string
let databasePath: string
let portal: PortalServer

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-sign-in-timing-', async (db) => {
    const actor = { kind: 'system', via: 'command' } as const
    const locked: string[] = []
    for (const [kind, count] of Object.entries(KINDS)) {
      for (let i = 0; i < count; i++) {
        const email = address(kind, i)
        const created = await createTestAgent(db, crypto, { email, name: `Timing ${kind} ${i}` })
        if (kind === 'locked') locked.push(created.id)
        if (kind === 'disabled')
          await disableStaffMember({ db: sqlitePortalDatabase(db), crypto, actor, email })
      }
    }
    // Locked as five wrong passwords would lock them, without spending five of each address's failures.
    const lockedUntil = Date.now() + 24 * 60 * 60 * 1000
    const lock = db.$client.prepare('update staff_members set locked_until = ? where id = ?')
    for (const id of locked) lock.run(lockedUntil, id)
  }))
  portal = await startPortal({
    env: {
      ...secrets,
      DATABASE_URL: databasePath,
      // Every try of the file comes from one client IP; only the per-address limits stay as they are.
      STAFF_SIGN_IN_IP_LIMIT: '100000',
      IP_FAILURE_LIMIT: '100000',
      IP_CHECK_LIMIT: '100000',
    },
  })
}, 180_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

/** The audit log's sign-in entries after `sequence`: what each refusal was, as the portal recorded it. */
function refusalsAfter(sequence: number) {
  const db = new Database(databasePath, { readonly: true })
  try {
    const rows = db
      .prepare(
        `select action, outcome, detail from audit_log
          where sequence > ? and action in ('staff.sign_in', 'staff.locked')`,
      )
      .all(sequence) as { action: string; outcome: string; detail: string }[]
    const counts: Record<string, number> = {}
    for (const row of rows) {
      const reason = (JSON.parse(row.detail) as { reason?: string }).reason ?? 'none'
      const key = `${row.action} ${row.outcome} ${reason}`
      counts[key] = (counts[key] ?? 0) + 1
    }
    return counts
  } finally {
    db.close()
  }
}

function lastSequence() {
  const db = new Database(databasePath, { readonly: true })
  try {
    return (db.prepare('select last_sequence as last from audit_chain_head').get() as { last: number }).last
  } finally {
    db.close()
  }
}

/**
 * Unknown addresses against one kind of known account, interleaved: every answer
 * 422 and, tokens and the echoed address taken out, the same page as the first
 * unknown one; then the medians within max(1 ms, IQR/3).
 */
async function compareWith(kind: keyof typeof KINDS, usesEach: number) {
  const visitor = new Visitor(portal.url)
  expect((await visitor.get('/staff/login')).status).toBe(200)
  let reference: string | undefined
  const post = async (email: string): Promise<Page> => {
    const page = await visitor.post('/staff/login', { csrf: visitor.csrf ?? '', email, password: PASSWORD })
    const scrubbed = withoutTokens(page.body, { csrf: visitor.csrf, email })
    reference ??= scrubbed
    expect(scrubbed, email).toBe(reference)
    expect(
      page.setCookies.some((line) => line.startsWith('portal_staff=')),
      email,
    ).toBe(false)
    return page
  }
  const before = lastSequence()
  const result = await compareTimings({
    known: (i) => post(address(kind, Math.floor(i / usesEach))),
    unknown: (i) => post(address(`nobody-${kind}`, i)),
    tries: TRIES,
    warmUp: WARM_UP,
    expectedStatus: 422,
    minBarMs: MIN_BAR_MS,
  })
  return { result, refusals: refusalsAfter(before) }
}

const EVERY_TRY = WARM_UP + TRIES

describe(`staff sign-in: an unknown address takes as long as a known account's refusal (medians of ${TRIES} and ${TRIES}, interleaved, within max(${MIN_BAR_MS} ms, IQR/3))`, () => {
  it('a wrong password, each account short of its lock', async () => {
    const { result, refusals } = await compareWith('wrong', WRONG_USES_EACH)
    console.log(timingSummary('/staff/login wrong password', result))
    // Every known try was a counted wrong password, none of them one that locked its account.
    expect(refusals).toEqual({
      'staff.sign_in failure unknown_email': EVERY_TRY,
      'staff.sign_in failure wrong_password': EVERY_TRY,
    })
    expect(result.gap).toBeLessThan(result.bar)
  }, 300_000)

  it('a locked account', async () => {
    const { result, refusals } = await compareWith('locked', REFUSED_USES_EACH)
    console.log(timingSummary('/staff/login locked account', result))
    expect(refusals).toEqual({
      'staff.sign_in failure unknown_email': EVERY_TRY,
      'staff.sign_in denied locked': EVERY_TRY,
    })
    expect(result.gap).toBeLessThan(result.bar)
  }, 300_000)

  it('a disabled account', async () => {
    const { result, refusals } = await compareWith('disabled', REFUSED_USES_EACH)
    console.log(timingSummary('/staff/login disabled account', result))
    expect(refusals).toEqual({
      'staff.sign_in failure unknown_email': EVERY_TRY,
      'staff.sign_in denied disabled': EVERY_TRY,
    })
    expect(result.gap).toBeLessThan(result.bar)
  }, 300_000)
})
