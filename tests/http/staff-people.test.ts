import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hitLimit, limitsFrom } from '~/security/rate-limit.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import type { SqlValue } from '~db/sql-store'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { findStaffMemberByEmail } from '~db/staff-members'
import { Visitor } from '../support/check-visitor'
import { filledDatabase } from '../support/migrated-database'
import { portalRows, portalRun, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type Authenticator, enrolmentKeyOf, enrolStaff } from '../support/staff-authenticator'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, STAFF_PASSWORD } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'

/**
 * `/staff/people` against the built server: a supervisor lists, creates
 * (the enrolment password shown once, and good for a sign-in), disables and
 * resets second factors (each ending the member's sessions, each audited),
 * is refused their own account; agents and strangers are refused the page,
 * and malformed posts get a message, never a 500.
 */

const secrets = testSecrets()
const crypto: PortalCrypto = createPortalCrypto({
  dataKey: secrets.PORTAL_DATA_KEY,
  indexKey: secrets.PORTAL_INDEX_KEY,
})
const ENROLMENT_PASSWORD = /[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}/
const read = (language: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/staff.json`, import.meta.url), 'utf8'))
const ja = read('ja').people
const en = read('en').people

let directory: string
let databasePath: string
let portal: PortalServer
let supervisorId: string
/** The accounts made for this file: their IDs and enrolment passwords, by address. */
const accounts = new Map<string, { id: string; enrolmentPassword: string }>()
let supervisor: Visitor

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-people-', async (db) => {
    await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
    supervisorId = (await findStaffMemberByEmail(sqlitePortalDatabase(db), crypto, DEMO_SUPERVISOR.email))
      ?.id as string
    for (const local of ['leaving', 'lost-phone', 'standing']) {
      const email = `${local}.staff@example.jp`
      const created = await createTestAgent(db, crypto, { email, name: `Test ${local}` })
      accounts.set(email, { id: created.id, enrolmentPassword: created.enrolmentPassword })
    }
  }))
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  supervisor = await signInWithOwnPassword(DEMO_SUPERVISOR.email, DEMO_SUPERVISOR.enrolmentPassword)
}, 120_000)

afterAll(async () => {
  // Every view of every answer above rendered with real translations and without a server error.
  expect(portal?.output()).not.toContain('missing translation')
  expect(portal?.output()).not.toMatch(/\bError\b/)
  await closeStaffPortal(directory, portal?.stop())
})

/** Authenticator apps of the members signed in below, by address. */
const apps = new Map<string, Authenticator>()

/** A staff member through the first sign-in: a password of their own, then an authenticator app. */
async function signInWithOwnPassword(email: string, enrolmentPassword: string) {
  const { visitor, authenticator } = await enrolStaff(new Visitor(portal.url), {
    email,
    enrolmentPassword,
    newPassword: STAFF_PASSWORD,
  })
  apps.set(email, authenticator)
  return visitor
}

/** A post to the page with the visitor's form token, as its forms send it. */
function post(visitor: Visitor, fields: Record<string, string>, headers?: Record<string, string>) {
  return visitor.post('/staff/people', { csrf: visitor.csrf ?? '', ...fields }, headers)
}

// What the portal wrote is read back (and aged) in the database it serves from, on either backend.
function writeDatabase(sql: string, ...parameters: SqlValue[]) {
  return portalRun(portal.databaseUrl, sql, ...parameters)
}

async function readDatabase(sql: string, ...parameters: SqlValue[]) {
  return (await portalRows(portal.databaseUrl, sql, ...parameters))[0]
}

function auditEntries(action: string) {
  return portalRows<{
    actorKind: string
    actorId: string
    targetId: string | null
    outcome: string
    detail: string
  }>(
    portal.databaseUrl,
    `select actor_kind as "actorKind", actor_id as "actorId", target_id as "targetId", outcome, detail
       from audit_log where action = ? order by sequence`,
    action,
  )
}

describe('a supervisor at /staff/people', { timeout: 90_000 }, () => {
  it('finds it from the console and sees every account, without buttons on their own', async () => {
    const home = await supervisor.get('/staff')
    expect(home.body).toContain('href="/staff/people"')
    const page = await supervisor.get('/staff/people')
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    for (const text of [
      DEMO_SUPERVISOR.email,
      DEMO_AGENT.email,
      DEMO_SUPERVISOR.name,
      'leaving.staff@example.jp',
    ]) {
      expect(page.body).toContain(text)
    }
    expect(page.body).toContain(ja.roles.supervisor)
    expect(page.body).toContain(ja.you)
    expect(page.body).not.toContain(`name="staffId" value="${supervisorId}"`)
    expect(page.body).toContain(`name="staffId" value="${accounts.get('leaving.staff@example.jp')?.id}"`)
    const english = await supervisor.get('/staff/people', { 'Accept-Language': 'en' })
    expect(english.status).toBe(200)
    expect(english.body).toContain(en.heading)
  })

  it('creates an account and shows its enrolment password once, which then signs the new member in', async () => {
    await supervisor.get('/staff/people')
    const email = 'new.member@example.jp'
    const created = await post(supervisor, { intent: 'create', email, name: '新人 太郎', role: 'agent' })
    expect(created.status).toBe(200)
    expect(created.location).toBeNull()
    expect(created.headers.get('referrer-policy')).toBe('no-referrer')
    const password = created.body.match(ENROLMENT_PASSWORD)?.[0] as string
    expect(password).toBeDefined()
    expect(created.body).toContain(ja.created.heading)
    expect(created.body).toContain('24時間')
    // Once: the list afterwards does not have it, nor does the server's log.
    const list = await supervisor.get('/staff/people')
    expect(list.body).toContain(email)
    expect(list.body).not.toContain(password)
    expect(portal.output()).not.toContain(password)

    const entry = (await auditEntries('staff.created')).at(-1)
    expect(entry).toMatchObject({ actorKind: 'staff', actorId: supervisorId, outcome: 'success' })
    expect(entry?.detail).not.toContain(email)

    const newcomer = new Visitor(portal.url)
    const signedIn = await newcomer.submit('/staff/login', { email, password })
    expect(signedIn.status).toBe(303)
    expect(signedIn.location).toBe('/staff/password')
  })

  it('refuses an address already taken with 422 and keeps what was typed', async () => {
    const taken = await post(supervisor, {
      intent: 'create',
      email: 'Leaving.Staff@example.jp',
      name: '重複 花子',
      role: 'supervisor',
    })
    expect(taken.status).toBe(422)
    expect(taken.body).toContain(ja.add.errors.emailTaken)
    expect(taken.body).toContain('value="Leaving.Staff@example.jp"')
    expect(taken.body).toContain('value="重複 花子"')
    expect(taken.body).toMatch(/<input(?=[^>]*value="supervisor")(?=[^>]*checked="")[^>]*>/)
    expect((await auditEntries('staff.created')).at(-1)).toMatchObject({
      outcome: 'denied',
      actorId: supervisorId,
    })
  })

  it('disables an account after asking to confirm, which ends its sessions and is audited', async () => {
    const email = 'leaving.staff@example.jp'
    const { id, enrolmentPassword } = accounts.get(email) as { id: string; enrolmentPassword: string }
    const member = await signInWithOwnPassword(email, enrolmentPassword)
    expect((await member.get('/staff')).status).toBe(200)

    const asked = await post(supervisor, { intent: 'disable', staffId: id })
    expect(asked.status).toBe(200)
    expect(asked.body).toContain(ja.confirm.disable.heading)
    expect(asked.body).toContain(email)
    expect(asked.body).toContain('name="confirmed" value="yes"')
    // Asking changes nothing.
    expect((await member.get('/staff')).status).toBe(200)

    const done = await post(supervisor, { intent: 'disable', staffId: id, confirmed: 'yes' })
    expect(done.status).toBe(200)
    expect(done.body).toContain(ja.done.disable.replace('{{name}}', 'Test leaving'))
    const after = await member.get('/staff')
    expect(after.status).toBe(302)
    expect(after.location).toBe('/staff/login')
    expect((await auditEntries('staff.disabled')).at(-1)).toMatchObject({
      actorKind: 'staff',
      actorId: supervisorId,
      targetId: id,
      outcome: 'success',
    })
    // Again: nothing more to do, and it says so.
    const again = await post(
      supervisor,
      { intent: 'disable', staffId: id, confirmed: 'yes' },
      { 'Accept-Language': 'en' },
    )
    expect(again.status).toBe(200)
    // React writes an apostrophe in text as a character reference.
    expect(again.body.replaceAll('&#x27;', "'")).toContain(
      en.done.disableUnchanged.replace('{{name}}', 'Test leaving'),
    )
  })

  it('resets second factors after asking to confirm, ending the sessions, audited', async () => {
    const email = 'lost-phone.staff@example.jp'
    const { id, enrolmentPassword } = accounts.get(email) as { id: string; enrolmentPassword: string }
    const member = await signInWithOwnPassword(email, enrolmentPassword)
    const asked = await post(supervisor, { intent: 'reset-mfa', staffId: id })
    expect(asked.body).toContain(ja.confirm['reset-mfa'].heading)
    const done = await post(supervisor, { intent: 'reset-mfa', staffId: id, confirmed: 'yes' })
    expect(done.status).toBe(200)
    expect(done.body).toContain(ja.done['reset-mfa'].replace('{{name}}', 'Test lost-phone'))
    expect((await member.get('/staff')).location).toBe('/staff/login')
    expect((await auditEntries('staff.mfa_reset')).at(-1)).toMatchObject({
      actorId: supervisorId,
      targetId: id,
      outcome: 'success',
    })
    expect(
      await readDatabase('select totp_secret_sealed as secret from staff_members where id = ?', id),
    ).toEqual({
      secret: null,
    })
    // The account itself still signs in with its own password, and enrols an app anew.
    const back = new Visitor(portal.url)
    expect((await back.submit('/staff/login', { email, password: STAFF_PASSWORD })).location).toBe(
      '/staff/login/mfa',
    )
    expect(enrolmentKeyOf((await back.get('/staff/login/mfa')).body)).toMatch(/^[A-Z2-7]{32}$/)
  })

  it('requires passkeys of a member who has one, refuses it for one who has none, and allows app codes again', async () => {
    const { id } = accounts.get('standing.staff@example.jp') as { id: string }
    const refused = await post(supervisor, { intent: 'require-passkeys', staffId: id, confirmed: 'yes' })
    expect(refused.status).toBe(422)
    expect(refused.body).toContain(ja.refused.noPasskey)
    expect((await auditEntries('staff.passkey_required')).at(-1)).toMatchObject({
      outcome: 'denied',
      targetId: id,
    })

    // Nobody has a passkey yet, so the list offers the rule to nobody.
    expect((await supervisor.get('/staff/people')).body).not.toContain('value="require-passkeys"')
    // A passkey, as far as the rule can tell (it only counts them).
    await writeDatabase(
      'insert into staff_passkeys (staff_id, credential_id, public_key) values (?, ?, ?)',
      id,
      Buffer.from('standing-credential'),
      Buffer.alloc(77),
    )
    expect((await supervisor.get('/staff/people')).body).toContain('value="require-passkeys"')
    const asked = await post(supervisor, { intent: 'require-passkeys', staffId: id })
    expect(asked.body).toContain(ja.confirm['require-passkeys'].heading)
    const done = await post(supervisor, { intent: 'require-passkeys', staffId: id, confirmed: 'yes' })
    expect(done.status).toBe(200)
    expect(done.body).toContain(ja.done['require-passkeys'].replace('{{name}}', 'Test standing'))
    expect(
      await readDatabase('select passkeys_required as required from staff_members where id = ?', id),
    ).toEqual({
      required: 1,
    })
    expect((await auditEntries('staff.passkey_required')).at(-1)).toMatchObject({
      actorId: supervisorId,
      targetId: id,
      outcome: 'success',
      detail: '{"required":true}',
    })
    // The list says so, and offers the way back.
    const list = await supervisor.get('/staff/people')
    expect(list.body).toContain(ja.factors.passkeysOnly)
    const allowed = await post(supervisor, { intent: 'allow-app-codes', staffId: id, confirmed: 'yes' })
    expect(allowed.body).toContain(ja.done['allow-app-codes'].replace('{{name}}', 'Test standing'))
    expect(
      await readDatabase('select passkeys_required as required from staff_members where id = ?', id),
    ).toEqual({
      required: 0,
    })
  })

  it('refuses to disable or reset their own account, and records the refusal', async () => {
    for (const intent of ['disable', 'reset-mfa']) {
      for (const confirmed of [{}, { confirmed: 'yes' }] as Record<string, string>[]) {
        const refused = await post(supervisor, { intent, staffId: supervisorId, ...confirmed })
        expect(refused.status, intent).toBe(403)
        expect(refused.body).toContain(ja.refused.self)
      }
    }
    expect((await auditEntries('staff.disabled')).at(-1)).toMatchObject({
      targetId: supervisorId,
      outcome: 'denied',
      detail: '{"reason":"own_account"}',
    })
    expect((await supervisor.get('/staff/people')).status).toBe(200)
  })

  it('answers malformed posts with a message, never a 500', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 400, ja.refused.badRequest],
      [{ intent: 'promote' }, 400, ja.refused.badRequest],
      [{ intent: 'disable' }, 400, ja.refused.badRequest],
      [{ intent: 'disable', staffId: 'S123' }, 400, ja.refused.badRequest],
      [{ intent: 'disable', staffId: supervisorId, confirmed: 'maybe' }, 400, ja.refused.badRequest],
      [{ intent: 'disable', staffId: 'S0000000000' }, 404, ja.refused.unknown],
      [{ intent: 'create' }, 422, ja.add.errors.emailRequired],
      [{ intent: 'create', email: ' ', name: 'A', role: 'agent' }, 422, ja.add.errors.emailRequired],
      [
        { intent: 'create', email: 'not-an-address', name: 'A', role: 'agent' },
        422,
        ja.add.errors.emailInvalid,
      ],
      [
        { intent: 'create', email: `${'a'.repeat(400)}@example.jp`, name: 'A', role: 'agent' },
        422,
        ja.add.errors.emailInvalid,
      ],
      // As long as the body limit allows, shaped to make a backtracking pattern go quadratic.
      [
        { intent: 'create', email: `a@${'x.'.repeat(30_000)}@`, name: 'A', role: 'agent' },
        422,
        ja.add.errors.emailInvalid,
      ],
      [
        // Full-width spaces fold away; 6,000 of them still fit the body limit once encoded.
        { intent: 'create', email: 'x.staff@example.jp', name: '\u3000'.repeat(6_000), role: 'agent' },
        422,
        ja.add.errors.nameInvalid,
      ],
      [{ intent: 'disable', staffId: 'S'.repeat(60_000) }, 400, ja.refused.badRequest],
      [
        { intent: 'create', email: 'x.staff@example.jp', name: '', role: 'agent' },
        422,
        ja.add.errors.nameRequired,
      ],
      [
        { intent: 'create', email: 'x.staff@example.jp', name: 'あ'.repeat(101), role: 'agent' },
        422,
        ja.add.errors.nameInvalid,
      ],
      [
        { intent: 'create', email: 'x.staff@example.jp', name: 'a\u0007b', role: 'agent' },
        422,
        ja.add.errors.nameInvalid,
      ],
      [
        { intent: 'create', email: 'x.staff@example.jp', name: 'A', role: 'admin' },
        422,
        ja.add.errors.roleInvalid,
      ],
      [{ intent: 'create', email: 'x.staff@example.jp', name: 'A' }, 422, ja.add.errors.roleRequired],
    ]
    for (const [fields, status, message] of cases) {
      const answered = await post(supervisor, fields)
      expect(answered.status, JSON.stringify(fields).slice(0, 80)).toBe(status)
      expect(answered.body).toContain(message)
    }
    // None of them made an account.
    const list = await supervisor.get('/staff/people')
    expect(list.body).not.toContain('x.staff@example.jp')
  })

  it('refuses a post from another site and one without its form token', async () => {
    const crossSite = await post(
      supervisor,
      { intent: 'create', email: 'cross.staff@example.jp', name: 'A', role: 'agent' },
      {
        Origin: 'https://attacker.example',
      },
    )
    expect(crossSite.status).toBe(403)
    const tokenless = await post(supervisor, {
      csrf: 'forged',
      intent: 'create',
      email: 'tokenless.staff@example.jp',
      name: 'A',
      role: 'agent',
    })
    expect(tokenless.status).toBe(403)
    expect(tokenless.body).not.toMatch(ENROLMENT_PASSWORD)
    const list = await supervisor.get('/staff/people')
    expect(list.body).not.toContain('cross.staff@example.jp')
    expect(list.body).not.toContain('tokenless.staff@example.jp')
  })
})

describe('a supervisor action after five minutes without a second factor', { timeout: 60_000 }, () => {
  it('asks for one first (step-up), then returns to the page, where the action goes through', async () => {
    // The supervisor's last second factor, six minutes ago.
    await writeDatabase(
      'update staff_sessions set second_factor_at = ? where staff_id = ?',
      Date.now() - 6 * 60_000,
      supervisorId,
    )
    // Looking is still fine; acting is not.
    expect((await supervisor.get('/staff/people')).status).toBe(200)
    const asked = await post(supervisor, {
      intent: 'disable',
      staffId: accounts.get('standing.staff@example.jp')?.id ?? '',
    })
    expect(asked.status).toBe(303)
    expect(asked.location).toBe('/staff/login/mfa?next=%2Fstaff%2Fpeople')
    const stepUp = await supervisor.get(asked.location ?? '')
    expect(stepUp.status).toBe(200)
    expect(stepUp.body).toContain(read('ja').mfa.stepUp.heading)
    const app = apps.get(DEMO_SUPERVISOR.email) as Authenticator
    const given = await supervisor.post('/staff/login/mfa', {
      csrf: supervisor.csrf ?? '',
      intent: 'verify',
      next: '/staff/people',
      code: await app.nextCode(),
    })
    expect(given.status).toBe(303)
    expect(given.location).toBe('/staff/people')
    expect((await auditEntries('staff.step_up')).at(-1)).toMatchObject({
      actorId: supervisorId,
      outcome: 'success',
    })
    const confirmation = await post(supervisor, {
      intent: 'disable',
      staffId: accounts.get('standing.staff@example.jp')?.id ?? '',
    })
    expect(confirmation.status).toBe(200)
    expect(confirmation.body).toContain(ja.confirm.disable.heading)
  })

  it('never returns anywhere but a staff page', async () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/staff',
      '/staff/../account',
      '/staff/login/mfa',
    ]) {
      const page = await supervisor.get(`/staff/login/mfa?next=${encodeURIComponent(next)}`)
      expect(page.body, next).toContain('name="next" value="/staff"')
    }
  })
})

describe('creations by one supervisor', { timeout: 60_000 }, () => {
  // Last: it spends the supervisor's creations for the hour. The window is filled directly, as
  // thirty real creations would (each an argon2id hash) only take longer to say the same.
  it('stop at 30 an hour, with 429 and Retry-After, the form as typed', async () => {
    const limit = limitsFrom({
      IP_FAILURE_LIMIT: 1,
      IP_CHECK_LIMIT: 1,
      IP_ACCOUNT_LIMIT: 1,
      STAFF_SIGN_IN_IP_LIMIT: 1,
    }).staffCreationsPerSupervisor
    expect(limit.max).toBe(30)
    await withPortalDatabase(portal.databaseUrl, async (db) => {
      for (let hit = 0; hit < limit.max; hit++) await hitLimit(db, crypto, limit, `staff:${supervisorId}`)
    })
    const refused = await post(supervisor, {
      intent: 'create',
      email: 'one.too.many@example.jp',
      name: '上限 超過',
      role: 'agent',
    })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.body).toContain('value="one.too.many@example.jp"')
    expect(refused.body).not.toMatch(ENROLMENT_PASSWORD)
    // Only creations are limited: the other changes still answer.
    const asked = await post(supervisor, {
      intent: 'reset-mfa',
      staffId: accounts.get('lost-phone.staff@example.jp')?.id ?? '',
    })
    expect(asked.status).toBe(200)
    expect((await supervisor.get('/staff/people')).body).not.toContain('one.too.many@example.jp')
  })
})

describe('anyone but a supervisor', { timeout: 60_000 }, () => {
  it('as an agent gets 403 for the page and its posts, and the console has no link to it', async () => {
    const agent = await signInWithOwnPassword(DEMO_AGENT.email, DEMO_AGENT.enrolmentPassword)
    expect((await agent.get('/staff')).body).not.toContain('href="/staff/people"')
    const page = await agent.get('/staff/people', { 'Accept-Language': 'en' })
    expect(page.status).toBe(403)
    expect(page.body).toContain(read('en').forbidden.title)
    const before = (await auditEntries('staff.disabled')).length
    const posted = await post(agent, { intent: 'disable', staffId: supervisorId, confirmed: 'yes' })
    expect(posted.status).toBe(403)
    const created = await post(agent, {
      intent: 'create',
      email: 'agent-made@example.jp',
      name: 'A',
      role: 'supervisor',
    })
    expect(created.status).toBe(403)
    expect((await auditEntries('staff.disabled')).length).toBe(before)
    expect((await supervisor.get('/staff/people')).body).not.toContain('agent-made@example.jp')
  })

  it('without a staff session is sent to /staff/login, for the page and its posts', async () => {
    const stranger = new Visitor(portal.url)
    const page = await stranger.get('/staff/people')
    expect(page.status).toBe(302)
    expect(page.location).toBe('/staff/login')
    const posted = await stranger.post('/staff/people', {
      intent: 'create',
      email: 'a@example.jp',
      name: 'A',
      role: 'agent',
    })
    expect(posted.status).toBe(302)
    expect(posted.location).toBe('/staff/login')
  })
})
