import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BrowserSession,
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  openBrowser,
  settleAll,
  waitForHydration,
} from '../support/browser'
import { importExport, printerRows, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/**
 * The letter-code answers that are not a typo, as a browser shows them, with
 * JavaScript on and off, in both languages: a locked code, an expired one, and
 * a member with a new password sent to sign in. Each says what happened and
 * what to do, passes axe and fits a phone.
 */

const locale = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/check.json`, import.meta.url), 'utf8'))

const secrets = testSecrets()
const BIRTH_DATE = '1980-05-06'
let live: PortalServer
let expired: PortalServer
let browsers: Record<'on' | 'off', BrowserSession>
const codes = { locked: '', member: '', expired: '' }

beforeAll(async () => {
  const opened: Partial<Record<'on' | 'off', BrowserSession>> = {}
  await settleAll(
    startPortal({ env: secrets }).then((started) => {
      live = started
    }),
    startPortal({ env: { ...secrets, LETTER_CODE_VALID_UNTIL: '2026-07-22' } }).then((started) => {
      expired = started
    }),
    openBrowser().then((b) => {
      opened.on = b
    }),
    openBrowser({ javaScriptEnabled: false }).then((b) => {
      opened.off = b
    }),
  )
  browsers = opened as Record<'on' | 'off', BrowserSession>
  const members = [
    MEMBER_COLUMNS,
    member({ member_id: 'L1', family_name: '四谷' }),
    member({ member_id: 'S1' }),
  ]
  const [a, b] = await Promise.all([
    importExport(live.databasePath, secrets, { 'members.csv': members }, { notify: true }),
    importExport(expired.databasePath, secrets, { 'members.csv': members }, { notify: true }),
  ])
  const rows = printerRows(a.postcards)
  codes.locked = rows.find((row) => row.recipient?.startsWith('四谷'))?.letter_code ?? ''
  codes.member = rows.find((row) => !row.recipient?.startsWith('四谷'))?.letter_code ?? ''
  codes.expired = printerRows(b.postcards)[0]?.letter_code ?? ''
  // Locked by ten wrong dates of birth; the other member has set a new password.
  const guesser = new Visitor(live.url)
  for (let i = 1; i <= 10; i++) {
    await guesser.submit('/check/letter', {
      code: codes.locked,
      proof: `2000-01-${String(i).padStart(2, '0')}`,
    })
  }
  const owner = new Visitor(live.url)
  expect((await owner.submit('/check/letter', { code: codes.member, proof: BIRTH_DATE })).status).toBe(303)
  await owner.get('/account/password')
  const saved = await owner.post('/account/password', {
    csrf: owner.csrf ?? '',
    password: 'quiet harbour lanterns drift 49',
    intent: 'save',
  })
  expect(saved.status).toBe(303)
}, 120_000)

afterAll(() => settleAll(live?.stop(), expired?.stop(), browsers?.on?.close(), browsers?.off?.close()))

const CASES = [
  { state: 'locked', portal: () => live, code: () => codes.locked, proof: BIRTH_DATE, status: 403 },
  { state: 'expired', portal: () => expired, code: () => codes.expired, proof: BIRTH_DATE, status: 403 },
  { state: 'signInInstead', portal: () => live, code: () => codes.member, proof: BIRTH_DATE, status: 200 },
] as const

describe.each(['on', 'off'] as const)('with JavaScript %s', (javaScript) => {
  it.each(CASES.flatMap((c) => (['ja', 'en'] as const).map((language) => ({ ...c, language }))))(
    '$state, in $language: says what happened and what to do, passes axe, fits a phone',
    async (c) => {
      const { page, context } = browsers[javaScript]
      await context.clearCookies()
      await page.goto(`${c.portal().url}/check/letter?lng=${c.language}`)
      if (javaScript === 'on') await waitForHydration(page)
      await page.locator('#code').fill(c.code())
      await page.locator('#proof').fill(c.proof)
      const answered = page.waitForResponse(
        (response) =>
          response.request().method() === 'POST' &&
          new URL(response.url()).pathname.startsWith('/check/letter'),
      )
      await page.locator('#proof').press('Enter')
      expect((await answered).status()).toBe(c.status)
      const strings = locale(c.language).letter[c.state]
      await expect.poll(() => headingText(page)).toBe(strings.heading)
      expect(await page.locator('main').textContent()).toContain('support@sekaimon.com')
      if (c.state === 'signInInstead') expect(await page.locator('main a[href="/signin"]').count()).toBe(1)
      await expectNoAxeViolations(page)
      await expectFitsPhone(page)
    },
  )
})
