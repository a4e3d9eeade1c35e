import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionStore } from '~/session/session.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { disableStaffMember } from '~/staff/staff-accounts.server'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { Visitor, withoutTokens } from '../support/check-visitor'
import { filledDatabase } from '../support/migrated-database'
import { portalRows, portalRun, portalValue, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { Authenticator, enrolmentKeyOf, enrolStaff, recoveryCodesOf } from '../support/staff-authenticator'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, STAFF_PASSWORD } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'

/**
 * Staff sign-in against the built server: the README's demo walk, the one
 * neutral answer to every refusal, the lock, the guard on every `/staff`
 * route, and the idle limit of a staff session.
 */

const secrets = testSecrets()
const crypto: PortalCrypto = createPortalCrypto({
  dataKey: secrets.PORTAL_DATA_KEY,
  indexKey: secrets.PORTAL_INDEX_KEY,
})
const staffText = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))

let directory: string
let databasePath: string
let portal: PortalServer
/** Enrolment passwords of the accounts made for this file, by address. */
const enrolment = new Map<string, string>()

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-sign-in-', async (db) => {
    await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
    for (const local of ['wrong', 'locked', 'disabled', 'idle', 'lockout']) {
      const email = `${local}.staff@example.jp`
      const created = await createTestAgent(db, crypto, { email, name: `Test ${local}` })
      enrolment.set(email, created.enrolmentPassword)
    }
    await disableStaffMember({
      db: sqlitePortalDatabase(db),
      crypto,
      actor: { kind: 'system', via: 'command' },
      email: 'disabled.staff@example.jp',
    })
  }))
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
}, 120_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

/** Where a GET ends up after the redirects it is given (at most 3), as a path. */
async function landing(path: string, cookie?: string) {
  let at = path
  for (let hop = 0; hop < 3; hop++) {
    const response = await fetch(`${portal.url}${at}`, {
      headers: cookie ? { Cookie: cookie } : {},
      redirect: 'manual',
    })
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || !location) return `${response.status} ${at}`
    at = location
  }
  return at
}

async function signIn(visitor: Visitor, email: string, password: string) {
  return visitor.submit('/staff/login', { email, password })
}

/** A first sign-in to its end, as the forced steps ask: own password, then the authenticator app. */
async function signInAndEnrol(email: string, password: string) {
  const { visitor } = await enrolStaff(new Visitor(portal.url), {
    email,
    enrolmentPassword: password,
    newPassword: STAFF_PASSWORD,
  })
  return visitor
}

describe('the demo supervisor', { timeout: 60_000 }, () => {
  it('signs in with the README password, must choose a new one and enrol an app, then sees the audit of the sign-in', async () => {
    const visitor = new Visitor(portal.url)
    const signedIn = await signIn(visitor, DEMO_SUPERVISOR.email, DEMO_SUPERVISOR.enrolmentPassword)
    expect(signedIn.status).toBe(303)
    expect(signedIn.location).toBe('/staff/password')
    const cookie = signedIn.setCookies.find((line) => line.startsWith('portal_staff='))
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)

    // Nothing else until the password is changed.
    for (const path of ['/staff', '/staff/audit']) {
      const page = await visitor.get(path)
      expect(page.status).toBe(302)
      expect(page.location).toBe('/staff/password')
    }

    const form = await visitor.get('/staff/password')
    expect(form.status).toBe(200)
    const again = await visitor.post('/staff/password', {
      csrf: visitor.csrf ?? '',
      password: DEMO_SUPERVISOR.enrolmentPassword,
    })
    expect(again.status).toBe(422)
    expect(again.body).toContain('登録用パスワードです')

    const changed = await visitor.post('/staff/password', {
      csrf: visitor.csrf ?? '',
      password: STAFF_PASSWORD,
    })
    expect(changed.status).toBe(303)
    expect(changed.location).toBe('/staff/login/mfa')

    // Nothing else until an authenticator app is enrolled either.
    for (const path of ['/staff', '/staff/audit']) {
      const page = await visitor.get(path)
      expect(page.status).toBe(302)
      expect(page.location).toBe('/staff/login/mfa')
    }
    const enrolPage = await visitor.get('/staff/login/mfa')
    expect(enrolPage.status).toBe(200)
    expect(enrolPage.body).toContain('<svg')
    expect(enrolPage.body).toContain('otpauth://totp/')
    const secret = enrolmentKeyOf(enrolPage.body) ?? ''
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    // A reload offers the same key: a QR code scanned a moment ago stays good.
    expect(enrolmentKeyOf((await visitor.get('/staff/login/mfa')).body)).toBe(secret)
    const app = new Authenticator(secret)
    const wrong = await visitor.post('/staff/login/mfa', {
      csrf: visitor.csrf ?? '',
      intent: 'enrol',
      code: app.wrongCode(),
    })
    expect(wrong.status).toBe(422)
    const enrolled = await visitor.post('/staff/login/mfa', {
      csrf: visitor.csrf ?? '',
      intent: 'enrol',
      code: await app.nextCode(),
    })
    expect(enrolled.status).toBe(200)
    expect(recoveryCodesOf(enrolled.body)).toHaveLength(10)

    const home = await visitor.get('/staff')
    expect(home.status).toBe(200)
    expect(home.body).toContain('スーパーバイザー')
    expect(home.body).toContain('href="/staff/audit"')

    const audit = await visitor.get('/staff/audit')
    expect(audit.status).toBe(200)
    expect(audit.body).toContain('staff.sign_in')
    expect(audit.body).toContain('staff.password_changed')
    expect(audit.body).toContain('staff.mfa_enrolled')
    expect(audit.body).not.toContain(DEMO_SUPERVISOR.email)

    // Once the password is the member's own, the password page asks for it before any change.
    const changePage = await visitor.get('/staff/password')
    expect(changePage.status).toBe(200)
    expect(changePage.body).toContain('name="currentPassword"')

    const english = await visitor.get('/staff/audit', { 'Accept-Language': 'en' })
    expect(english.status).toBe(200)

    // Signing out ends the session: the same cookie is worth nothing afterwards.
    const kept = visitor.cookieHeader()
    await visitor.get('/staff')
    const out = await visitor.post('/staff/logout', { csrf: visitor.csrf ?? '' })
    expect(out.status).toBe(303)
    expect(out.location).toBe('/staff/login')
    const replayed = await fetch(`${portal.url}/staff`, { headers: { Cookie: kept }, redirect: 'manual' })
    expect(replayed.status).toBe(302)
    expect(replayed.headers.get('location')).toBe('/staff/login')

    // And the new password is the one that signs in now.
    const back = new Visitor(portal.url)
    const withNew = await signIn(back, DEMO_SUPERVISOR.email, STAFF_PASSWORD)
    expect(withNew.location).toBe('/staff/login/mfa')
    const second = await back.post('/staff/login/mfa', {
      csrf: back.csrf ?? '',
      intent: 'verify',
      code: await app.nextCode(),
    })
    expect(second.status).toBe(303)
    expect(second.location).toBe('/staff')
    expect((await back.get('/staff')).status).toBe(200)
    expect(
      (await signIn(new Visitor(portal.url), DEMO_SUPERVISOR.email, DEMO_SUPERVISOR.enrolmentPassword))
        .status,
    ).toBe(422)
  })
})

describe('a refused sign-in', { timeout: 90_000 }, () => {
  it('is the same page and status for an unknown address, a wrong password, a locked and a disabled account', async () => {
    // Locked by five wrong passwords, as anyone could lock it.
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(
        (await signIn(new Visitor(portal.url), 'locked.staff@example.jp', 'not the password')).status,
      ).toBe(422)
    }
    const cases = [
      ['nobody.staff@example.jp', 'whatever it is'],
      ['wrong.staff@example.jp', 'not the password'],
      ['locked.staff@example.jp', enrolment.get('locked.staff@example.jp') ?? ''],
      ['disabled.staff@example.jp', enrolment.get('disabled.staff@example.jp') ?? ''],
    ] as const
    const pages = []
    for (const [email, password] of cases) {
      const visitor = new Visitor(portal.url)
      const page = await signIn(visitor, email, password)
      expect(page.status, email).toBe(422)
      expect(page.setCookies.some((line) => line.startsWith('portal_staff='))).toBe(false)
      pages.push(withoutTokens(page.body, { csrf: visitor.csrf, email }))
    }
    for (const page of pages.slice(1)) expect(page).toBe(pages[0])
    expect(pages[0]).toContain('何度か間違えると')
  })

  it('locks the account after 5 wrong passwords: then even the right one is refused, and the lock is audited', async () => {
    const email = 'lockout.staff@example.jp'
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await signIn(new Visitor(portal.url), email, 'wrong password here')).status).toBe(422)
    }
    const right = await signIn(new Visitor(portal.url), email, enrolment.get(email) ?? '')
    expect(right.status).toBe(422)
    const actions = await portalRows<{ action: string; outcome: string; detail: string }>(
      portal.databaseUrl,
      `select a.action, a.outcome, a.detail from audit_log a join staff_members m on m.id = a.target_id
        where a.action in ('staff.sign_in', 'staff.locked') order by a.sequence`,
    )
    expect(actions.filter((entry) => entry.action === 'staff.locked').length).toBeGreaterThanOrEqual(2)
    expect(actions.some((entry) => entry.outcome === 'denied' && entry.detail.includes('locked'))).toBe(true)
    const withoutIp = await portalValue<number>(
      portal.databaseUrl,
      "select count(*) from audit_log where action = 'staff.sign_in' and client_ip_index is null",
    )
    expect(withoutIp).toBe(0)
  })
})

/** Every page under /staff, from the route folders' names (`staff.audit` → `/staff/audit`). */
const STAFF_ROUTES = readdirSync(new URL('../../app/routes/', import.meta.url))
  .filter((name) => name === 'staff' || name.startsWith('staff.') || name.startsWith('staff_'))
  .map(
    (name) =>
      `/${name
        .replace(/\._index$/, '')
        .replace(/_(?=\.|$)/g, '')
        // A dot in brackets is part of the path (`staff.report[.csv]` is /staff/report.csv).
        .replace(/\[[^\]]*\]|\./g, (part) => (part === '.' ? '/' : part.slice(1, -1)))}`,
  )
const PUBLIC_STAFF_ROUTES = ['/staff/login']
const SUPERVISOR_ROUTES = [
  '/staff/audit',
  '/staff/audit/csv',
  '/staff/people',
  '/staff/report',
  '/staff/report.csv',
  '/staff/activity',
]
// A download cannot show a page: it sends an agent to this page, which says why not.
const DOWNLOAD_PAGES: Record<string, string> = {
  '/staff/audit/csv': '/staff/audit',
  '/staff/report.csv': '/staff/report',
}

describe('the staff guard', { timeout: 90_000 }, () => {
  it('knows the staff routes', () => {
    expect(STAFF_ROUTES).toEqual(
      expect.arrayContaining([
        '/staff',
        '/staff/audit',
        '/staff/password',
        '/staff/login/mfa',
        '/staff/people',
        '/staff/passkeys',
      ]),
    )
  })

  it('sends a visitor without a staff session, or with a customer session, to /staff/login', async () => {
    // A real customer session of the running server: same secret, same database.
    const customerCookie = await withPortalDatabase(portal.databaseUrl, async (db) => {
      const customers = createSessionStore({ db, secrets: [secrets.SESSION_SECRET], isProduction: false })
      const { setCookie } = await customers.saveChallenge(new Request(`${portal.url}/check/email`), {
        type: 'email',
      })
      return setCookie?.split(';')[0] ?? ''
    })
    expect(customerCookie).toMatch(/^portal_session=/)
    const guarded = STAFF_ROUTES.filter((path) => !PUBLIC_STAFF_ROUTES.includes(path))
    for (const path of guarded) {
      for (const cookie of [undefined, customerCookie]) {
        const landed = await landing(path, cookie)
        expect(landed, `${path} with ${cookie ? 'a customer' : 'no'} session`).toBe('200 /staff/login')
      }
    }
    // The form's action is guarded too, before it reads anything.
    const posted = await fetch(`${portal.url}/staff/password`, {
      method: 'POST',
      headers: { Cookie: customerCookie, Origin: portal.url },
      body: new URLSearchParams({ password: STAFF_PASSWORD }),
      redirect: 'manual',
    })
    expect(posted.status).toBe(302)
    expect(posted.headers.get('location')).toBe('/staff/login')
  })

  it('answers an agent on a supervisor page with 403, saying whom to ask', async () => {
    const agent = await signInAndEnrol(DEMO_AGENT.email, DEMO_AGENT.enrolmentPassword)
    expect((await agent.get('/staff')).status).toBe(200)
    for (const path of SUPERVISOR_ROUTES) {
      const page = await agent.get(DOWNLOAD_PAGES[path] ?? path, { 'Accept-Language': 'en' })
      expect(page.status, path).toBe(403)
      expect(page.body, path).toContain(staffText.forbidden.title)
    }
    for (const [download, page] of Object.entries(DOWNLOAD_PAGES))
      expect((await agent.get(download)).location, download).toBe(page)
    // Every route is either for supervisors or open to any staff member: none is forgotten.
    const anyStaff = [
      '/staff',
      '/staff/password',
      '/staff/passkeys',
      '/staff/logout',
      '/staff/passkey-options',
      '/staff/cases',
      '/staff/cases/$humanId',
      '/staff/returns',
      '/staff/returns/$reference',
      '/staff/returns/$reference/photos/$photoId',
    ]
    expect([...STAFF_ROUTES].sort()).toEqual(
      [...PUBLIC_STAFF_ROUTES, '/staff/login/mfa', ...anyStaff, ...SUPERVISOR_ROUTES].sort(),
    )
  })
})

describe('a staff session', { timeout: 60_000 }, () => {
  it('ends after 15 minutes without a request', async () => {
    const email = 'idle.staff@example.jp'
    const visitor = new Visitor(portal.url)
    expect((await signIn(visitor, email, enrolment.get(email) ?? '')).location).toBe('/staff/password')
    expect((await visitor.get('/staff/password')).status).toBe(200)
    await portalRun(
      portal.databaseUrl,
      'update staff_sessions set last_seen_at = last_seen_at - ?, created_at = created_at - ?',
      16 * 60_000,
      16 * 60_000,
    )
    const later = await visitor.get('/staff/password')
    expect(later.status).toBe(302)
    expect(later.location).toBe('/staff/login')
  })
})
