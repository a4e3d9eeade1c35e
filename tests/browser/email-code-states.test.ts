import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { renderEmail } from '~/mail/email-content.server'
import { hitLimit, limitsFrom } from '~/security/rate-limit.server'
import { openDatabase } from '~db/client'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import checkEn from '~locales/en/check.json'
import checkJa from '~locales/ja/check.json'
import {
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  startOver,
  typeInto,
  waitForHydration,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'
import { awayFromWindowEdge } from '../support/check-visitor'
import { testSecrets } from '../support/secrets'

/**
 * Every state of the e-mail code page, walked with the keyboard in Chromium,
 * in Japanese and English, with JavaScript on and off: a wrong code, a code
 * spent by 5 wrong tries (with "send the code again" to the same address), a
 * new code refused by the per-address limit, too many wrong codes (with the
 * time to come back), and e-mail codes closed. Each page passes axe and fits a
 * 360 px phone. With SHOTS_DIR set, each is also saved there at 360 and 1280 px.
 */

const languages = [
  { language: 'ja', query: '', check: checkJa },
  { language: 'en', query: '?lng=en', check: checkEn },
] as const
type Language = (typeof languages)[number]

const secrets = testSecrets()
const hourly = limitsFrom({
  IP_FAILURE_LIMIT: 1,
  IP_CHECK_LIMIT: 1,
  IP_ACCOUNT_LIMIT: 1,
  STAFF_SIGN_IN_IP_LIMIT: 1,
}).emailCodesPerAddress
const HOUR = 60 * 60 * 1000
const shots = process.env.SHOTS_DIR

const fixture = startPortalWithBrowsers({ env: secrets })

const crypto = () =>
  createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

/** Codes asked for the address earlier this hour, as the server counts them. */
async function codesAskedEarlier(address: string, count: number) {
  const db = openDatabase(fixture.portal.databasePath)
  try {
    for (let i = 0; i < count; i++) await hitLimit(sqlitePortalDatabase(db), crypto(), hourly, address)
  } finally {
    db.$client.close()
  }
}

/** 99 wrong codes in a row already, as 20 spent codes over a few days would leave. */
function nearlyClosed(address: string) {
  const db = new Database(fixture.portal.databasePath)
  try {
    db.prepare(
      "update verification_challenges set consecutive_failures = 99 where type = 'email-code' and target_index = ?",
    ).run(crypto().index('email', address))
  } finally {
    db.close()
  }
}

/** Submits the focused form with Enter: `accepted` (a redirect, or 200) or the refusal's status. */
async function post(page: Page, expected: 'accepted' | number) {
  const posted = page.waitForRequest((request) => request.method() === 'POST')
  await page.keyboard.press('Enter')
  const status = (await (await posted).response())?.status() ?? 0
  if (expected === 'accepted') expect(status, `POST ${page.url()}`).toBeLessThan(400)
  else expect(status, `POST ${page.url()}`).toBe(expected)
  await page.waitForLoadState()
}

async function enterWrongCode(page: Page, expected: 'accepted' | number) {
  await typeInto(page, '#code', '000000')
  await post(page, expected)
}

async function pressButton(page: Page, name: string, expected: 'accepted' | number) {
  await page.getByRole('button', { name }).focus()
  await post(page, expected)
}

/** The page shows `heading`, passes axe, fits a phone; saved at both widths when asked. */
async function expectState(page: Page, heading: string, name: string) {
  await expect.poll(() => headingText(page), { message: name }).toBe(heading)
  await expectNoAxeViolations(page)
  await expectFitsPhone(page)
  if (shots) await screenshot(page, name)
}

async function screenshot(page: Page, name: string) {
  const desktop = page.viewportSize()
  mkdirSync(shots as string, { recursive: true })
  try {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 })
      await page.screenshot({ path: join(shots as string, `${name}-${width}.png`), fullPage: true })
    }
  } finally {
    if (desktop) await page.setViewportSize(desktop)
  }
}

describe.each([
  { javaScript: 'on', session: () => fixture.withJavaScript },
  { javaScript: 'off', session: () => fixture.withoutJavaScript },
])('with JavaScript $javaScript', ({ javaScript, session }) => {
  // Eight pages, each through axe (and with SHOTS_DIR two screenshots): slow on a busy machine.
  test.each(languages)(
    'every state of the code page, in $language',
    { timeout: 180_000 },
    async (language: Language) => {
      const browser = session()
      const { portal } = fixture
      const { page } = browser
      await startOver(browser)
      const address = `visitor.${javaScript}.${language.language}@example.jp`
      const name = (state: string) => `code-${state}-${language.language}-js-${javaScript}`
      const t = language.check.emailCode
      // The hour's count must not start afresh half-way.
      await awayFromWindowEdge(HOUR, 120_000)

      await page.goto(`${portal.url}/check/email${language.query}`)
      if (javaScript === 'on') await waitForHydration(page)
      await typeInto(page, '#email', address)
      await post(page, 'accepted')
      await expectState(page, t.heading, name('live'))

      await enterWrongCode(page, 422)
      await expect.poll(() => page.locator('#code-error').textContent()).toBe(t.errors.wrong)
      await expectState(page, t.heading, name('wrong'))

      for (let i = 0; i < 4; i++) await enterWrongCode(page, 422)
      await expectState(page, t.spent.heading, name('spent'))

      // Sent again to the same address, with nothing typed.
      await pressButton(page, t.again, 'accepted')
      await expect.poll(() => page.locator('[role="status"]').textContent()).toBe(t.resent)
      await expectState(page, t.heading, name('resent'))

      // The hour's codes used up: asked again, refused with the time to come back.
      await codesAskedEarlier(address, hourly.max - 2)
      await pressButton(page, t.again, 429)
      await expect.poll(() => page.locator('main').textContent()).toContain(t.codesLimited)
      await expectState(page, t.heading, name('rate-limited'))

      for (let i = 0; i < 5; i++) await enterWrongCode(page, i < 4 ? 422 : 429)
      await expectState(page, t.wait.spent.heading, name('too-many-wrong'))
      expect(await page.getByRole('button', { name: t.again }).count()).toBe(0)

      // Closed for good after 100 wrong in a row: the letter code and the desk.
      await page.goto(`${portal.url}/check/email${language.query}`)
      const closedAddress = `closed.${address}`
      await typeInto(page, '#email', closedAddress)
      await post(page, 'accepted')
      nearlyClosed(closedAddress)
      await enterWrongCode(page, 422)
      await expectState(page, t.closed.heading, name('closed'))
    },
  )
})

test('the "not affected" e-mail reads on a phone, its text and HTML parts alike', async () => {
  const browser = fixture.withJavaScript
  const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  // A blank page of its own: nothing of the portal's pages around the mail.
  const page = await browser.context.newPage()
  for (const language of ['ja', 'en'] as const) {
    const rendered = renderEmail({
      kind: 'not_affected',
      to: 'nobody@example.jp',
      input: { language, portalAddress: 'portal.example.jp' },
    })
    if (shots)
      writeFileSync(join(shots, `not-affected-${language}.txt`), `${rendered.subject}\n\n${rendered.text}`)
    for (const [part, content] of [
      // Mail programs wrap a plain-text part to the screen, as overflow-wrap does here.
      [
        'text',
        `<meta name="viewport" content="width=device-width"><pre style="white-space:pre-wrap;overflow-wrap:anywhere;font:14px monospace">${escapeHtml(`Subject: ${rendered.subject}\n\n${rendered.text}`)}</pre>`,
      ],
      ['html', rendered.html],
    ] as const) {
      await page.setContent(content)
      await expectFitsPhone(page)
      expect(await page.locator('body').textContent()).toContain('portal.example.jp')
      if (shots) await screenshot(page, `mail-not-affected-${language}-${part}`)
    }
  }
  await page.close()
})
