import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import accountEn from '~locales/en/account.json'
import exposureEn from '~locales/en/exposure.json'
import accountJa from '~locales/ja/account.json'
import exposureJa from '~locales/ja/exposure.json'
import {
  type BrowserSession,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  headingText,
  openBrowser,
  settleAll,
} from '../support/browser'
import { Visitor } from '../support/check-visitor'
import { layoutProblems } from '../support/layout-checks'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * The exposure view and the details form read on a 360 px phone and a
 * 1280 px screen, in Japanese and English, with JavaScript on and off: nothing
 * scrolls sideways, no word breaks inside, every radio sits on its label's
 * line, every target is 44 px (see `layoutProblems`), and axe finds nothing.
 * The README's demo people: 見本 花子 (a member with two cards) and 模擬 健太
 * (an employee, no member), each through the e-mail check.
 */

const HANAKO = 'hanako.mihon@example.jp'
const KENTA = 'kenta.mogi@example.co.jp'
const NEW_PASSWORD = 'quiet harbour lanterns drift 47'

const languages = [
  { language: 'ja', exposure: exposureJa, account: accountJa, resumptionDate: '2026年4月23日' },
  { language: 'en', exposure: exposureEn, account: accountEn, resumptionDate: '23 April 2026' },
] as const
const widths = [360, 1280] as const
const javaScriptModes = [
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
] as const

let portal: PortalServer
let withJavaScript: BrowserSession | undefined
let withoutJavaScript: BrowserSession | undefined
/** Each demo person's cookies once through the e-mail check (花子's with her new password set). */
const signedIn = new Map<string, Map<string, string>>()

/** The newest 6-digit code at /dev/outbox: the one just sent, as the checks run one after another. */
async function newestCode() {
  const html = await (await fetch(`${portal.url}/dev/outbox`)).text()
  const code = html.match(/(?<![\d-])(\d{6})(?![\d-])/)?.[1]
  if (!code) throw new Error('no code at /dev/outbox')
  return code
}

async function checkByEmail(email: string) {
  const visitor = new Visitor(portal.url)
  expect((await visitor.submit('/check/email', { email })).status).toBe(303)
  let verified = await visitor.post('/check/email/code', {
    csrf: visitor.csrf ?? '',
    code: await newestCode(),
  })
  for (let attempt = 0; verified.location !== '/exposure' && attempt < 20; attempt++) {
    // The outbox shows the code once the sender has picked it up; wait for it rather than race.
    await new Promise((resolve) => setTimeout(resolve, 250))
    verified = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code: await newestCode() })
  }
  expect(verified.location, `the e-mail check of ${email}`).toBe('/exposure')
  return visitor
}

beforeAll(async () => {
  await settleAll(
    startPortal({ env: { PORTAL_DEMO_DATA: 'on' } }).then((started) => {
      portal = started
    }),
    openBrowser().then((opened) => {
      withJavaScript = opened
    }),
    openBrowser({ javaScriptEnabled: false }).then((opened) => {
      withoutJavaScript = opened
    }),
  )
  const hanako = await checkByEmail(HANAKO)
  await hanako.get('/account/password')
  const saved = await hanako.post('/account/password', {
    csrf: hanako.csrf ?? '',
    password: NEW_PASSWORD,
    intent: 'save',
  })
  expect(saved.location).toBe('/account/details?saved=password')
  signedIn.set(HANAKO, hanako.cookies)
  signedIn.set(KENTA, (await checkByEmail(KENTA)).cookies)
}, 180_000)

afterAll(() => settleAll(portal?.stop(), withJavaScript?.close(), withoutJavaScript?.close()))

function sessionFor(javaScriptEnabled: boolean) {
  const session = javaScriptEnabled ? withJavaScript : withoutJavaScript
  if (!session) throw new Error('the browsers are used before they started')
  return session
}

/** Opens `path` in `language` at `width` as `email`'s signed-in browser. */
async function open(
  session: BrowserSession,
  { email, path, language, width }: { email: string; path: string; language: string; width: number },
) {
  await session.context.clearCookies()
  session.resetConsoleProblems()
  const cookies = signedIn.get(email)
  if (!cookies) throw new Error(`${email} is not signed in`)
  await session.context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: portal.url })))
  await session.page.setViewportSize({ width, height: 800 })
  const response = await session.page.goto(`${portal.url}${path}?lng=${language}`)
  expect(response?.status(), `${path} as ${email}`).toBe(200)
  return session.page
}

async function expectReadable(session: BrowserSession, page: Page) {
  expect(
    await layoutProblems(page),
    `layout problems on ${page.url()} at ${page.viewportSize()?.width} px`,
  ).toEqual([])
  await expectNoAxeViolations(page)
  expectNoConsoleProblems(session)
}

describe.each(javaScriptModes)('with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  describe.each(languages)('in $language', ({ language, exposure, account, resumptionDate }) => {
    test.each(widths)(
      'a member reads the exposure view at %i px, and the main button leads on',
      async (width) => {
        const session = sessionFor(javaScriptEnabled)
        const page = await open(session, { email: HANAKO, path: '/exposure', language, width })
        expect(await headingText(page)).toBe(exposure.heading)

        // At a glance: every category, and the password and card first.
        const summary = page.locator('.exposure-summary')
        expect(await summary.locator('h2').textContent()).toBe(exposure.summary.heading)
        expect(await summary.locator('.exposure-summary__categories li').allTextContents()).toEqual(
          ['name', 'birth_date', 'gender', 'email', 'phone', 'address', 'card', 'password'].map(
            (category) => exposure.categories[category as keyof typeof exposure.categories],
          ),
        )
        expect(await summary.locator('.exposure-summary__steps li').allTextContents()).toEqual([
          exposure.firstSteps.password,
          exposure.firstSteps.card,
        ])

        // The way on is the first and main button, with the resumption date beside it; signing out is secondary.
        const buttons = page.locator('main .button')
        const first = buttons.first()
        expect((await first.textContent())?.trim()).toBe(exposure.nextSteps.link)
        expect(await first.getAttribute('href')).toBe('/account')
        expect(await first.getAttribute('class')).toContain('button--primary')
        const nextSteps = page.locator('.exposure__next-steps')
        expect(await nextSteps.textContent()).toContain(
          exposure.nextSteps.resumption.replace('{{date}}', resumptionDate),
        )
        const signOut = page.locator('main form[action="/signout"] button')
        expect(await signOut.getAttribute('class')).toContain('button--secondary')
        const signOutBox = await signOut.boundingBox()
        const firstBox = await first.boundingBox()
        expect(
          firstBox && signOutBox && firstBox.y < signOutBox.y,
          'the main button comes before sign-out',
        ).toBe(true)

        // Each category a card: what of yours, what it means, what to do.
        const cards = page.locator('.exposure-item')
        expect(await cards.count()).toBe(8)
        expect(await cards.first().locator('dt').allTextContents()).toEqual([
          exposure.columns.value,
          exposure.columns.meaning,
          exposure.columns.action,
        ])
        expect(await page.locator('main table').count(), 'no table on the exposure view').toBe(0)
        expect(await page.locator('.exposure-item dd', { hasText: '***-****-0001' }).count()).toBe(1)

        await expectReadable(session, page)
      },
    )

    test.each(widths)('someone who is no member reads the exposure view at %i px', async (width) => {
      const session = sessionFor(javaScriptEnabled)
      const page = await open(session, { email: KENTA, path: '/exposure', language, width })
      expect(await headingText(page)).toBe(exposure.heading)
      expect(await page.locator('.exposure-summary__steps li').allTextContents()).toEqual([
        exposure.firstSteps.password,
        exposure.firstSteps.scams,
      ])
      expect(
        await page.locator('a[href="/account"]').count(),
        'no next steps for someone who is no member',
      ).toBe(0)
      const signOut = page.locator('main form[action="/signout"] button')
      expect(await signOut.getAttribute('class')).toContain('button--primary')
      await expectReadable(session, page)
    })

    test.each(widths)('a member reads the details form at %i px', async (width) => {
      const session = sessionFor(javaScriptEnabled)
      const page = await open(session, { email: HANAKO, path: '/account/details', language, width })
      expect(await headingText(page)).toBe(account.details.heading)
      expect(await page.locator('input#phone').inputValue(), 'the stored phone, grouped').toBe(
        '090-0000-0001',
      )
      // Gender, and keep or remove for each of her two cards.
      expect(await page.locator('input[type="radio"]').count()).toBe(8)
      const select = await page.locator('select#prefecture').boundingBox()
      const text = await page.locator('input#city').boundingBox()
      // Within a pixel or two: Chromium sizes a select's text box by its font, not its line height.
      expect(
        Math.abs((select?.height ?? 0) - (text?.height ?? 0)),
        'the select as tall as a text field',
      ).toBeLessThan(2)
      expect(
        Math.abs((select?.width ?? 0) - (text?.width ?? 0)),
        'the select as wide as a text field',
      ).toBeLessThan(1)
      await expectReadable(session, page)
    })
  })
})
