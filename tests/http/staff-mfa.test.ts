import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPortalCrypto } from '~db/portal-crypto'
import { awayFromWindowEdge, Visitor } from '../support/check-visitor'
import { filledDatabase } from '../support/migrated-database'
import { portalRows, portalRun, portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { Authenticator, type EnrolledStaff, enrolStaff, signInWithApp } from '../support/staff-authenticator'
import { closeStaffPortal } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'

/**
 * The second factor against the built server: a code is good once (RFC 6238
 * §5.2), even when two sign-ins race with it; only the steps next to now are
 * good; a recovery code is good once; wrong codes lock the account as wrong
 * passwords do; a supervisor's "passkeys only" refuses app codes.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const PASSWORD = 'copper kettles hum beside winter orchards'
const staffEn = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))
const ACCOUNTS = ['replay', 'race', 'window', 'recovery', 'lock', 'passkeys', 'change'] as const

let directory: string
let databasePath: string
let portal: PortalServer
const enrolled = new Map<(typeof ACCOUNTS)[number], EnrolledStaff>()
const emailOf = (name: string) => `${name}.mfa@example.jp`

beforeAll(async () => {
  const enrolmentPasswords = new Map<string, string>()
  ;({ directory, databasePath } = await filledDatabase('staff-mfa-', async (db) => {
    for (const name of ACCOUNTS) {
      const created = await createTestAgent(db, crypto, { email: emailOf(name), name: `Test ${name}` })
      enrolmentPasswords.set(name, created.enrolmentPassword)
    }
  }))
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  for (const name of ACCOUNTS) {
    enrolled.set(
      name,
      await enrolStaff(new Visitor(portal.url, { 'Accept-Language': 'en' }), {
        email: emailOf(name),
        enrolmentPassword: enrolmentPasswords.get(name) ?? '',
        newPassword: PASSWORD,
      }),
    )
  }
}, 120_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

function account(name: (typeof ACCOUNTS)[number]) {
  const found = enrolled.get(name)
  if (!found) throw new Error(`${name} was not enrolled`)
  return found
}

/** A fresh visitor past the password, at the code box. */
async function atCodeBox(name: (typeof ACCOUNTS)[number]) {
  const visitor = new Visitor(portal.url, { 'Accept-Language': 'en' })
  const signedIn = await visitor.submit('/staff/login', { email: emailOf(name), password: PASSWORD })
  expect(signedIn.location).toBe('/staff/login/mfa')
  const page = await visitor.get('/staff/login/mfa')
  expect(page.status).toBe(200)
  return visitor
}

/** The account's public ID, as its own console home shows it. */
async function staffIdOf(name: (typeof ACCOUNTS)[number]) {
  const home = await account(name).visitor.get('/staff')
  const id = /\((S[0-9A-Z]{10})\)/.exec(home.body)?.[1]
  if (!id) throw new Error(`no staff ID on ${name}'s home (${home.status})`)
  return id
}

const sendCode = (visitor: Visitor, code: string) =>
  visitor.post('/staff/login/mfa', { csrf: visitor.csrf ?? '', intent: 'verify', code })

describe('an authenticator code', { timeout: 120_000 }, () => {
  it('signs in once, and is refused when used again', async () => {
    const { authenticator } = account('replay')
    const code = await authenticator.nextCode()
    const first = await sendCode(await atCodeBox('replay'), code)
    expect(first.status).toBe(303)
    expect(first.location).toBe('/staff')
    const again = await sendCode(await atCodeBox('replay'), code)
    expect(again.status).toBe(422)
    expect(again.body).toContain(staffEn.mfa.refusals.wrong)
    const entries = await portalRows<{ outcome: string; detail: string }>(
      portal.databaseUrl,
      `select outcome, detail from audit_log where action = 'staff.sign_in_mfa'`,
    )
    expect(
      entries.some((entry) => entry.outcome === 'failure' && entry.detail.includes('code_already_used')),
    ).toBe(true)
  })

  it('passes only one of two sign-ins that race with the same code', async () => {
    const { authenticator } = account('race')
    const [one, two] = [await atCodeBox('race'), await atCodeBox('race')]
    const code = await authenticator.nextCode()
    const answers = await Promise.all([sendCode(one, code), sendCode(two, code)])
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 422])
    // And the one that lost holds a session that still opens nothing.
    const loser = answers[0]?.status === 422 ? one : two
    expect((await loser.get('/staff')).location).toBe('/staff/login/mfa')
  })

  it('is good one step either side of now and no further', async () => {
    const { authenticator } = account('window')
    // As if the app had not been used since some minutes: enrolment spent the step of its time.
    const staffId = await staffIdOf('window')
    await portalRun(
      portal.databaseUrl,
      'update staff_members set totp_last_step = null where id = ?',
      staffId,
    )
    // Away from a step's edge, so "now" is the same step for the test and the server.
    await awayFromWindowEdge(30_000, 5_000)
    const now = Authenticator.currentStep()
    for (const step of [now - 2, now + 2]) {
      expect(
        (await sendCode(await atCodeBox('window'), authenticator.codeAtStep(step))).status,
        `step ${step - now}`,
      ).toBe(422)
    }
    expect((await sendCode(await atCodeBox('window'), authenticator.codeAtStep(now - 1))).status).toBe(303)
    expect((await sendCode(await atCodeBox('window'), authenticator.codeAtStep(now + 1))).status).toBe(303)
    authenticator.spent(now + 1)
    // Steps are spent in order: an earlier step than the last accepted is refused too.
    expect((await sendCode(await atCodeBox('window'), authenticator.codeAtStep(now))).status).toBe(422)
  })
})

describe('a recovery code', { timeout: 60_000 }, () => {
  it('signs in once, typed any way, and never again', async () => {
    const { recoveryCodes } = account('recovery')
    const code = recoveryCodes[3] ?? ''
    const first = await sendCode(await atCodeBox('recovery'), ` ${code.toLowerCase().replace('-', ' ')} `)
    expect(first.status).toBe(303)
    expect(first.location).toBe('/staff')
    const again = await sendCode(await atCodeBox('recovery'), code)
    expect(again.status).toBe(422)
    const used = await portalValue<number>(
      portal.databaseUrl,
      'select count(*) from staff_recovery_codes where used_at is not null',
    )
    expect(used).toBe(1)
  })
})

describe('wrong codes', { timeout: 60_000 }, () => {
  it('lock the account after 5, ending the sign-in; the lock then answers like a wrong password, and lifts', async () => {
    const { authenticator } = account('lock')
    const visitor = await atCodeBox('lock')
    for (let attempt = 1; attempt < 5; attempt++) {
      const wrong = await sendCode(visitor, authenticator.wrongCode())
      expect(wrong.status, `attempt ${attempt}`).toBe(422)
    }
    const fifth = await sendCode(visitor, authenticator.wrongCode())
    expect(fifth.status).toBe(303)
    expect(fifth.location).toBe('/staff/login?ended=codes')
    // The sign-in page says what happened and what to do; the session is gone.
    const told = await visitor.get('/staff/login?ended=codes')
    expect(told.status).toBe(200)
    expect(told.body).toContain(staffEn.mfa.locked.body)
    expect((await visitor.get('/staff/login/mfa')).location).toBe('/staff/login')

    const locked = await new Visitor(portal.url).submit('/staff/login', {
      email: emailOf('lock'),
      password: PASSWORD,
    })
    expect(locked.status).toBe(422)
    const unknown = await new Visitor(portal.url).submit('/staff/login', {
      email: 'nobody.mfa@example.jp',
      password: PASSWORD,
    })
    expect(unknown.status).toBe(422)

    // Fifteen minutes later (moved back in the database), the right password and code work again.
    await portalRun(
      portal.databaseUrl,
      'update staff_members set locked_until = ? where locked_until is not null',
      Date.now() - 1,
    )
    const back = await signInWithApp(new Visitor(portal.url), {
      email: emailOf('lock'),
      password: PASSWORD,
      authenticator,
    })
    expect(back.status).toBe(303)
    const detail = await portalValue<string>(
      portal.databaseUrl,
      `select detail from audit_log where action = 'staff.locked' order by sequence desc limit 1`,
    )
    expect(detail).toContain('wrong_code')
  })
})

describe('a supervisor requiring passkeys', { timeout: 60_000 }, () => {
  it('makes app codes refused for that person, saying what to use instead', async () => {
    const { authenticator } = account('passkeys')
    const visitor = await atCodeBox('passkeys')
    const staffId = await staffIdOf('passkeys')
    await portalRun(
      portal.databaseUrl,
      'update staff_members set passkeys_required = 1 where id = ?',
      staffId,
    )
    const refused = await sendCode(visitor, await authenticator.nextCode())
    expect(refused.status).toBe(422)
    expect(refused.body).toContain(staffEn.mfa.refusals['passkeys-required'])
    expect((await visitor.get('/staff')).location).toBe('/staff/login/mfa')
  })
})

describe("a password change of one's own", { timeout: 60_000 }, () => {
  it('asks for the current password, then ends every other session and is audited', async () => {
    const { visitor, authenticator } = account('change')
    const other = new Visitor(portal.url)
    expect(
      (await signInWithApp(other, { email: emailOf('change'), password: PASSWORD, authenticator })).status,
    ).toBe(303)
    await visitor.get('/staff/password')
    const newPassword = 'granite owls count the slow tides'
    const wrong = await visitor.post('/staff/password', {
      csrf: visitor.csrf ?? '',
      currentPassword: 'not my password at all',
      password: newPassword,
    })
    expect(wrong.status).toBe(422)
    expect(wrong.body).toContain(staffEn.password.refusals.currentPasswordWrong)
    const changed = await visitor.post('/staff/password', {
      csrf: visitor.csrf ?? '',
      currentPassword: PASSWORD,
      password: newPassword,
    })
    expect(changed.status).toBe(200)
    expect(changed.body).toContain(staffEn.password.changed)
    expect((await visitor.get('/staff')).status).toBe(200)
    expect((await other.get('/staff')).location).toBe('/staff/login')
    const entries = await portalRows<{ outcome: string; detail: string }>(
      portal.databaseUrl,
      `select outcome, detail from audit_log where action = 'staff.password_changed' order by sequence desc limit 2`,
    )
    expect(entries.map((entry) => entry.outcome)).toEqual(['success', 'denied'])
    expect(entries[1]?.detail).toContain('current_password_wrong')
  })

  it('is not open to a session that has given only the password', async () => {
    // The password changed above: sign in with the new one, and stop before the code.
    const fresh = new Visitor(portal.url)
    await fresh.submit('/staff/login', {
      email: emailOf('change'),
      password: 'granite owls count the slow tides',
    })
    expect((await fresh.get('/staff/password')).location).toBe('/staff/login/mfa')
  })
})
