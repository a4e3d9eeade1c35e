import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailCodeTo, importExport, readDatabase, Visitor } from '../support/check-visitor'
import { detailsForm } from '../support/details-form'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { expectAuditChainVerifies, integrityOf, killDuring } from '../support/killed-portal'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The web server killed with SIGKILL while a member's account is written, at
 * several moments, then started again on the same file:
 * - a new password being saved (the hashing takes a helper process a moment:
 *   a wide window): the member has the new password with the reset cleared,
 *   or neither;
 * - details being confirmed: the details, their confirmation record and the
 *   closed "re-confirm" step are all there, or none is;
 * and the member can simply do it again.
 */

const secrets = testSecrets()
const NEW_PASSWORD = 'quiet lanterns drift over paper harbours'
const PASSWORD_DELAYS_MS = [0, 60, 200]
const DETAILS_DELAYS_MS = [0, 5, 20]
const PASSWORD_ADDRESSES = PASSWORD_DELAYS_MS.map((_, i) => `kill.password${i}@example.jp`)
const DETAILS_ADDRESSES = DETAILS_DELAYS_MS.map((_, i) => `kill.details${i}@example.jp`)
let directory: string
let databasePath: string
let sink: SmtpSink
let portal: PortalServer | undefined

const start = async () => {
  portal = await startPortal({
    env: {
      ...secrets,
      SMTP_URL: sink.url,
      SMTP_RATE: '1000',
      DATABASE_URL: databasePath,
      IP_CHECK_LIMIT: '3000',
      IP_FAILURE_LIMIT: '1000',
    },
  })
  return portal
}

const stop = async (server: PortalServer) => {
  await server.stop()
  portal = undefined
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-kill-account-'))
  databasePath = join(directory, 'portal.db')
  sink = await startSmtpSink()
  await stop(await start())
  await importExport(databasePath, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...[...PASSWORD_ADDRESSES, ...DETAILS_ADDRESSES].map((email, i) =>
        member({ member_id: `K${i + 1}`, email }),
      ),
    ],
  })
}, 60_000)

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

const auditVerifies = () => expectAuditChainVerifies({ directory, databasePath, secrets })

/** A visitor signed in by an e-mail code as the member at `address`. */
async function signedIn(server: PortalServer, address: string) {
  const visitor = new Visitor(server.url)
  const from = sink.received.length
  expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
  const code = await emailCodeTo(sink, address, from)
  const verified = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })
  expect(verified.location).toBe('/exposure')
  return visitor
}

async function atPasswordPage(server: PortalServer, address: string) {
  const visitor = await signedIn(server, address)
  await visitor.get('/account/password')
  return visitor
}

const savePassword = (visitor: Visitor) =>
  visitor.post('/account/password', { csrf: visitor.csrf ?? '', password: NEW_PASSWORD, intent: 'save' })

/** Each member's account as the checks need it, in import order. */
function accountStates() {
  return readDatabase(databasePath, (db) =>
    db
      .prepare(`
        select a.password_changed_at is not null as changed,
          exists (select 1 from member_required_actions r
                  where r.subject_id = a.subject_id and r.action = 'reset_password') as resetAsked,
          a.details_confirmed_at is not null as confirmed,
          exists (select 1 from member_required_actions r
                  where r.subject_id = a.subject_id and r.action = 'reconfirm_details') as reconfirmAsked,
          (select count(*) from detail_confirmations c where c.subject_id = a.subject_id) as confirmations
        from member_accounts a order by a.subject_id`)
      .all(),
  ) as {
    changed: number
    resetAsked: number
    confirmed: number
    reconfirmAsked: number
    confirmations: number
  }[]
}

const passwordAccounts = () => accountStates().slice(0, PASSWORD_ADDRESSES.length)
const detailsAccounts = () => accountStates().slice(PASSWORD_ADDRESSES.length)

describe('SIGKILL while a new password is saved', () => {
  it('leaves the new password with the reset cleared, or neither; saving again then works', async () => {
    expect(passwordAccounts().every((a) => !a.changed && a.resetAsked)).toBe(true)
    const outcomes: string[] = []
    for (const [i, delayMs] of PASSWORD_DELAYS_MS.entries()) {
      const server = await start()
      const visitor = await atPasswordPage(server, PASSWORD_ADDRESSES[i] as string)
      outcomes.push(await killDuring(server, delayMs, () => savePassword(visitor)))
      portal = undefined

      expect(integrityOf(databasePath)).toBe('ok')
      // Whole or not at all: a changed password never leaves the reset asked for, nor the reverse.
      for (const account of passwordAccounts()) expect(account.changed).toBe(account.resetAsked ? 0 : 1)
    }
    // At least the kill at once lands before the answer: the save was cut off mid-way.
    expect(outcomes).toContain('cut off')
    await auditVerifies()

    // Whatever the kills left, each member can save the password now.
    const server = await start()
    for (const address of PASSWORD_ADDRESSES) {
      const saved = await savePassword(await atPasswordPage(server, address))
      // Saved now, or already saved before the kill (the member is then led on, not back here).
      expect([303, 200]).toContain(saved.status)
    }
    await stop(server)
    expect(passwordAccounts().every((a) => a.changed && !a.resetAsked)).toBe(true)
    await auditVerifies()
  }, 180_000)
})

describe('SIGKILL while details are confirmed', () => {
  it('leaves details, confirmation record and the closed step together, or none of them; confirming again then works', async () => {
    // Each member first has the new password (the details page comes after it), unkilled.
    let server = await start()
    for (const address of DETAILS_ADDRESSES) {
      expect((await savePassword(await atPasswordPage(server, address))).status).toBe(303)
    }
    await stop(server)
    expect(detailsAccounts().every((a) => a.changed && !a.confirmed && a.reconfirmAsked)).toBe(true)

    const outcomes: string[] = []
    for (const [i, delayMs] of DETAILS_DELAYS_MS.entries()) {
      server = await start()
      const visitor = await signedIn(server, DETAILS_ADDRESSES[i] as string)
      const form = await detailsForm(visitor, { phone: `090-7000-000${i}` })
      outcomes.push(await killDuring(server, delayMs, () => visitor.post('/account/details', form)))
      portal = undefined

      expect(integrityOf(databasePath)).toBe('ok')
      for (const account of detailsAccounts()) {
        // Confirmed means the step closed and one record of it; not confirmed means neither.
        expect(account.reconfirmAsked).toBe(account.confirmed ? 0 : 1)
        expect(account.confirmations).toBe(account.confirmed)
      }
    }
    expect(outcomes).toContain('cut off')
    await auditVerifies()

    server = await start()
    for (const address of DETAILS_ADDRESSES) {
      const visitor = await signedIn(server, address)
      const confirmed = await visitor.post('/account/details', await detailsForm(visitor))
      expect(confirmed.status, confirmed.body.slice(0, 300)).toBe(303)
    }
    await stop(server)
    expect(detailsAccounts().every((a) => a.confirmed && !a.reconfirmAsked && a.confirmations >= 1)).toBe(
      true,
    )
    await auditVerifies()
  }, 180_000)
})
