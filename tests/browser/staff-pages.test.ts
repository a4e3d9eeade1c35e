import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import staffEn from '~locales/en/staff.json'
import staffJa from '~locales/ja/staff.json'
import {
  type BrowserSession,
  documentLanguage,
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  openBrowser,
  settleAll,
  typeInto,
} from '../support/browser'
import { filledDatabase } from '../support/migrated-database'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { Authenticator } from '../support/staff-authenticator'
import { closeStaffPortal, DEMO_SUPERVISOR, STAFF_PASSWORD } from '../support/staff-portal'

/**
 * The demo supervisor's first sign-in in Chromium without JavaScript, as a
 * newcomer following the README does it: every staff page on the way fits a
 * phone and passes axe, in Japanese, and the audit and staff account pages
 * in English too.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

let directory: string
let databasePath: string
let portal: PortalServer
let browser: BrowserSession

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-pages-', (db) =>
    ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto }),
  ))
  await settleAll(
    startPortal({ env: { ...secrets, DATABASE_URL: databasePath } }).then((started) => {
      portal = started
    }),
    openBrowser({ javaScriptEnabled: false }).then((opened) => {
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

describe('the staff pages', { timeout: 90_000 }, () => {
  it('take the demo supervisor from sign-in through the new password and the authenticator app to the audit log', async () => {
    const { page } = browser
    await page.goto(`${portal.url}/staff/login`)
    expect(await documentLanguage(page)).toBe('ja')
    await checkPage(staffJa.login.heading)

    // A refusal first: the neutral message, and the page still passes.
    await typeInto(page, '#email', DEMO_SUPERVISOR.email)
    await typeInto(page, '#password', 'not the password at all')
    await page.keyboard.press('Enter')
    await page.locator('[role="alert"]', { hasText: staffJa.login.failed }).waitFor()
    await checkPage(staffJa.login.heading)

    await typeInto(page, '#password', DEMO_SUPERVISOR.enrolmentPassword)
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/staff/password')
    await checkPage(staffJa.password.heading)

    await typeInto(page, '#password', DEMO_SUPERVISOR.enrolmentPassword)
    await page.keyboard.press('Enter')
    await page.locator('[role="alert"]', { hasText: staffJa.password.refusals.enrolmentPassword }).waitFor()
    await checkPage(staffJa.password.heading)

    await typeInto(page, '#password', STAFF_PASSWORD)
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/staff/login/mfa')
    await checkPage(staffJa.mfa.enrol.heading)
    expect(await page.locator('.totp-enrolment__qr svg').count()).toBe(1)

    // The authenticator app: the key as the page shows it, codes computed from it.
    const key = (await page.locator('.totp-enrolment__key code').textContent()) ?? ''
    const app = new Authenticator(key.replaceAll(' ', ''))
    await typeInto(page, '#code', app.wrongCode())
    await page.keyboard.press('Enter')
    // The answer is a page at the same address: wait for what it says, not for a navigation.
    await page.locator('[role="alert"]', { hasText: staffJa.mfa.refusals.wrong }).waitFor()
    await checkPage(staffJa.mfa.enrol.heading)
    await typeInto(page, '#code', await app.nextCode())
    await page.keyboard.press('Enter')
    await page.locator('h1', { hasText: staffJa.mfa.recovery.heading }).waitFor()
    await checkPage(staffJa.mfa.recovery.heading)
    expect(await page.locator('main .recovery-codes li').count()).toBe(10)
    await page.locator('main a[href="/staff"]').click()
    await page.waitForURL((url) => url.pathname === '/staff')
    await checkPage(staffJa.home.heading)

    await page.locator('main a[href="/staff/audit"]').click()
    await page.waitForURL((url) => url.pathname === '/staff/audit')
    await checkPage(staffJa.audit.heading)
    expect(await page.locator('main table').textContent()).toContain('staff.password_changed')
    // Filtered by the form, as a keyboard works it without JavaScript: a GET, so a page of its own.
    await page.selectOption('#audit-action', 'staff.password_changed')
    await page.locator('#audit-actor').press('Enter')
    await page.waitForURL((url) => url.searchParams.get('action') === 'staff.password_changed')
    await checkPage(staffJa.audit.heading)
    const rows = await page.locator('main tbody tr').allTextContents()
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row).toContain('staff.password_changed')

    // The staff accounts: the list, a new member's one-time password, a disable's confirmation.
    await page.goto(`${portal.url}/staff`)
    await page.locator('main a[href="/staff/people"]').click()
    await page.waitForURL((url) => url.pathname === '/staff/people')
    await checkPage(staffJa.people.heading)
    await typeInto(page, '#email', 'new.member@example.jp')
    await typeInto(page, '#name', '新人 太郎')
    await page.locator('main form:has(input[value="create"]) button[type="submit"]').click()
    await page.locator('h1', { hasText: staffJa.people.created.heading }).waitFor()
    await checkPage(staffJa.people.created.heading)
    await page.goto(`${portal.url}/staff/people`)
    await page
      .locator('main tr', { hasText: 'new.member@example.jp' })
      .locator('form:has(input[value="disable"]) button')
      .click()
    await page.locator('h1', { hasText: staffJa.people.confirm.disable.heading }).waitFor()
    await checkPage(staffJa.people.confirm.disable.heading)

    await page.goto(`${portal.url}/staff/audit?lng=en`)
    expect(await documentLanguage(page)).toBe('en')
    await checkPage(staffEn.audit.heading)
    await page.goto(`${portal.url}/staff/people`)
    await checkPage(staffEn.people.heading)
    await page.goto(`${portal.url}/staff/audit?actor=system&from=2026-01-01&to=2026-01-02`)
    await checkPage(staffEn.audit.heading)
    expect(await page.locator('main').textContent()).toContain(staffEn.audit.emptyFiltered)

    await page.goto(`${portal.url}/staff`)
    await page.locator('main form[action="/staff/logout"] button').click()
    await page.waitForURL((url) => url.pathname === '/staff/login')
    await checkPage(staffEn.login.heading)

    // A later sign-in, in English: the password, then a code from the app.
    await typeInto(page, '#email', DEMO_SUPERVISOR.email)
    await typeInto(page, '#password', STAFF_PASSWORD)
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/staff/login/mfa')
    await checkPage(staffEn.mfa.heading)
    await typeInto(page, '#code', await app.nextCode())
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/staff')
    await checkPage(staffEn.home.heading)
    // The two refusals above answer 422 on purpose; Chromium logs that as a failed load.
    const problems = browser
      .consoleProblems()
      .filter((problem) => !/status of 422 .*\/staff\/(login|password|login\/mfa)\)$/.test(problem))
    expect(problems).toEqual([])
  })
})
