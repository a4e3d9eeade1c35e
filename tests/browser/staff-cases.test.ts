import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { closeDatabase, openDatabase } from '~db/client'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import staffEn from '~locales/en/staff.json'
import staffJa from '~locales/ja/staff.json'
import {
  type BrowserSession,
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  typeInto,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'
import { importExport } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { testSecrets } from '../support/secrets'
import { ageStaffSecondFactors, type EnrolledStaff } from '../support/staff-authenticator'
import { DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * A supervisor's call in Chromium, with JavaScript and without, in Japanese
 * and in English: find 見本 花子 by her phone number read out in full-width
 * digits, open her case, reveal her e-mail address with a reason (the second
 * factor asked again first), add a note and send her notice again. Every page passes axe and
 * fits a 360 px phone.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const HANAKO_EMAIL = 'hanako.mihon@example.jp'

const fixture = startPortalWithBrowsers({ env: secrets })
let staff: EnrolledStaff

beforeAll(async () => {
  const { portal } = fixture
  await importExport(
    portal.databasePath,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        member({
          member_id: 'M00000001',
          email: HANAKO_EMAIL,
          phone: '090-0000-0001',
          birth_date: '1985-04-01',
        }),
        member({ member_id: 'M00000007', email: 'other.person@example.jp', phone: '090-0000-0007' }),
      ],
    },
    { notify: true },
  )
  const db = openDatabase(portal.databasePath)
  try {
    await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
  } finally {
    closeDatabase(db)
  }
  ;[staff] = await enrolDemoStaff(portal, [DEMO_SUPERVISOR])
}, 180_000)

afterAll(() => stopPasswordWork())

async function check(browser: BrowserSession, heading: string) {
  expect(await headingText(browser.page)).toBe(heading)
  await expectFitsPhone(browser.page)
  await expectNoAxeViolations(browser.page)
}

const RUNS = [
  { browser: 'scriptless', language: 'ja', text: staffJa },
  { browser: 'scripted', language: 'en', text: staffEn },
] as const

describe('a supervisor on a call', { timeout: 150_000 }, () => {
  for (const { browser: which, language, text } of RUNS) {
    it(`finds, opens, reveals and acts (${language}, JavaScript ${which === 'scripted' ? 'on' : 'off'})`, async () => {
      const browser = which === 'scripted' ? fixture.withJavaScript : fixture.withoutJavaScript
      const { portal } = fixture
      const { page } = browser
      // The staff session the sign-in made, and the page language.
      const staffCookie = [...staff.visitor.cookies].find(([name]) => name.includes('portal_staff'))
      expect(staffCookie).toBeDefined()
      // The language cookie as the language switcher sets it (a signed-less JSON string, base64).
      const lng = encodeURIComponent(Buffer.from(JSON.stringify(language)).toString('base64'))
      await browser.context.addCookies([
        { name: staffCookie?.[0] ?? '', value: staffCookie?.[1] ?? '', url: portal.url },
        { name: 'lng', value: lng, url: portal.url },
      ])
      await page.goto(`${portal.url}/staff/cases`)
      await check(browser, text.cases.heading)

      await page.locator('#case-kind').selectOption('phone')
      await typeInto(page, '#case-value', '０９０－００００－０００１')
      await page.keyboard.press('Enter')
      await page.locator('#case-results-heading').waitFor()
      await check(browser, text.cases.heading)
      expect(await page.locator('.case-card').count()).toBe(1)
      expect(await page.locator('main').textContent()).not.toContain(HANAKO_EMAIL)

      await page.locator('.case-card__open').click()
      await page.waitForURL((url) => /^\/staff\/cases\/\d+$/.test(url.pathname))
      const casePath = new URL(page.url()).pathname
      // With JavaScript the address changes before the page does: wait for the case's own heading.
      await page.locator('#case-records-heading').waitFor()
      const heading = await headingText(page)
      expect(heading).toMatch(/\d+/)
      await check(browser, heading)

      // A reveal: the second factor first, since the last was given ten minutes ago.
      ageStaffSecondFactors(portal.databasePath)
      const emailOption = await page
        .locator('#reveal-ref option', { hasText: text.caseView.fields.email })
        .getAttribute('value')
      await page.locator('#reveal-ref').selectOption(emailOption ?? '')
      await page.locator('input[name="reason"][value="caller_verified"]').check()
      await page.locator('.case-reveal button[type="submit"]').click()
      await page.waitForURL((url) => url.pathname === '/staff/login/mfa')
      await page.locator('#code').waitFor()
      await typeInto(page, '#code', await staff.authenticator.nextCode())
      await page.keyboard.press('Enter')
      await page.waitForURL((url) => url.pathname === casePath)
      await page.locator('#case-records-heading').waitFor()
      expect(await page.locator('main').textContent()).not.toContain(HANAKO_EMAIL)
      await page.locator('#reveal-ref').selectOption(emailOption ?? '')
      await page.locator('input[name="reason"][value="caller_verified"]').check()
      await page.locator('.case-reveal button[type="submit"]').click()
      await page.locator('.case-revealed__value', { hasText: HANAKO_EMAIL }).waitFor()
      await check(browser, heading)
      // On the timeline, in the page's language.
      expect(await page.locator('.case-timeline').textContent()).toContain(
        text.caseView.events.audit['case.field_revealed'].split(':')[0]?.split('：')[0] ?? '',
      )
      // Shown once: the page loaded again is masked.
      await page.goto(`${portal.url}${casePath}`)
      expect(await page.locator('main').textContent()).not.toContain(HANAKO_EMAIL)

      // An action: a note for the next colleague, then the case again saying it was added.
      await typeInto(page, '#case-note', `Called back about the notice (${language})`)
      await page.locator('.case-note button[type="submit"]').click()
      await page.locator('[role="status"]', { hasText: text.caseActions.done['add-note'] }).waitFor()
      expect(await page.locator('.case-timeline').textContent()).toContain(
        `Called back about the notice (${language})`,
      )
      await check(browser, heading)

      // The notice again, to the address on file: the case says so, and so does its timeline.
      await page.locator('button[value="resend-notice"]').click()
      await page.locator('[role="status"]', { hasText: text.caseActions.done['resend-notice'] }).waitFor()
      expect(await page.locator('.case-timeline').textContent()).toContain(
        text.caseView.events.audit['case.notice_resent'],
      )
      await check(browser, heading)
    })
  }
})
