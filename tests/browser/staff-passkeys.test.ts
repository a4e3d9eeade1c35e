import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPortalCrypto } from '~db/portal-crypto'
import staffEn from '~locales/en/staff.json'
import staffJa from '~locales/ja/staff.json'
import {
  type BrowserSession,
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  openBrowser,
  PHONE_VIEWPORT,
  settleAll,
  typeInto,
  waitForHydration,
} from '../support/browser'
import { filledDatabase } from '../support/migrated-database'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { Authenticator } from '../support/staff-authenticator'
import { closeStaffPortal } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'

/**
 * A passkey registered and used in Chromium, through the DevTools protocol's
 * virtual authenticator (a platform authenticator that verifies its user, as
 * a phone's fingerprint reader does): first sign-in, the app enrolled, a
 * passkey added from the recovery-codes page, signed out, and signed in again
 * with the passkey alone as the second factor, in Japanese and English.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const EMAIL = 'passkey.user@example.jp'
const PASSWORD = 'lanterns drift over quiet harbour stones'

let directory: string
let databasePath: string
let enrolmentPassword: string
let portal: PortalServer
let browser: BrowserSession

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-passkeys-', async (db) => {
    ;({ enrolmentPassword } = await createTestAgent(db, crypto, { email: EMAIL, name: 'Passkey Tester' }))
  }))
  await settleAll(
    startPortal({ env: { ...secrets, DATABASE_URL: databasePath } }).then((started) => {
      portal = started
    }),
    openBrowser({ viewport: PHONE_VIEWPORT }).then((opened) => {
      browser = opened
    }),
  )
}, 120_000)

afterAll(() => closeStaffPortal(directory, portal?.stop(), browser?.close()))

async function checkPage(heading: string) {
  const { page } = browser
  expect(await headingText(page)).toBe(heading)
  await expectFitsPhone(page)
  await expectNoAxeViolations(page)
}

async function signIn(password: string) {
  const { page } = browser
  await typeInto(page, '#email', EMAIL)
  await typeInto(page, '#password', password)
  await page.keyboard.press('Enter')
}

describe('a passkey', { timeout: 120_000 }, () => {
  it('is registered through the virtual authenticator and then signs in as the second factor', async () => {
    const { page, context } = browser
    const devtools = await context.newCDPSession(page)
    await devtools.send('WebAuthn.enable')
    const { authenticatorId } = await devtools.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })

    // First sign-in: own password, then the app, as every staff member starts.
    await page.goto(`${portal.url}/staff/login`)
    await signIn(enrolmentPassword)
    await page.waitForURL((url) => url.pathname === '/staff/password')
    await typeInto(page, '#password', PASSWORD)
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/staff/login/mfa')
    const key = (await page.locator('.totp-enrolment__key code').textContent()) ?? ''
    const app = new Authenticator(key.replaceAll(' ', ''))
    await typeInto(page, '#code', await app.nextCode())
    await page.keyboard.press('Enter')
    await page.locator('main .recovery-codes').waitFor()

    // The recovery-codes page offers a passkey next.
    await page.locator('main a[href="/staff/passkeys"]').click()
    await page.waitForURL((url) => url.pathname === '/staff/passkeys')
    await waitForHydration(page, 'main form button')
    await checkPage(staffJa.passkeys.heading)
    await page.getByRole('button', { name: staffJa.passkeys.add }).click()
    await page.getByText(staffJa.passkeys.done.added).waitFor()
    // The page's data is fetched again after the post: checked once that has settled.
    await page.waitForLoadState('networkidle')
    await checkPage(staffJa.passkeys.heading)
    expect(await page.locator('main .passkey-list li').count()).toBe(1)
    const { credentials } = await devtools.send('WebAuthn.getCredentials', { authenticatorId })
    expect(credentials).toHaveLength(1)

    // Signed out, and back in English with the passkey instead of a code.
    await page.goto(`${portal.url}/staff`)
    await page.locator('main form[action="/staff/logout"] button').click()
    await page.waitForURL((url) => url.pathname === '/staff/login')
    await page.goto(`${portal.url}/staff/login?lng=en`)
    await signIn(PASSWORD)
    await page.waitForURL((url) => url.pathname === '/staff/login/mfa')
    await waitForHydration(page, 'main form button')
    await checkPage(staffEn.mfa.heading)
    await page.getByRole('button', { name: staffEn.mfa.passkey.submit }).click()
    await page.waitForURL((url) => url.pathname === '/staff')
    // With JavaScript the address changes before the new page renders: wait for its heading, so
    // nothing is checked (or injected, as axe is) while React is still putting the page in place.
    await page.locator('h1', { hasText: staffEn.home.heading }).waitFor()
    await page.waitForLoadState('networkidle')
    await checkPage(staffEn.home.heading)

    const db = new Database(databasePath, { readonly: true })
    try {
      const entries = db
        .prepare(
          `select action, outcome, detail from audit_log
            where action in ('staff.passkey_registered', 'staff.sign_in_mfa') order by sequence`,
        )
        .all() as { action: string; outcome: string; detail: string }[]
      expect(entries.filter((entry) => entry.action === 'staff.passkey_registered')).toEqual([
        { action: 'staff.passkey_registered', outcome: 'success', detail: '{"passkeys":1}' },
      ])
      expect(entries.at(-1)).toEqual({
        action: 'staff.sign_in_mfa',
        outcome: 'success',
        detail: '{"factor":"passkey"}',
      })
    } finally {
      db.close()
    }
    expect(browser.consoleProblems()).toEqual([])
  })
})
