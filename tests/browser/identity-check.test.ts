import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import checkEn from '~locales/en/check.json'
import commonEn from '~locales/en/common.json'
import exposureEn from '~locales/en/exposure.json'
import incidentEn from '~locales/en/incident.json'
import checkJa from '~locales/ja/check.json'
import commonJa from '~locales/ja/common.json'
import exposureJa from '~locales/ja/exposure.json'
import incidentJa from '~locales/ja/incident.json'
import {
  type BrowserSession,
  documentLanguage,
  expectFitsPhone,
  expectNoAxeViolations,
  expectTranslatedHeadingAndTitle,
  headingText,
  startOver,
  typeInto,
  waitForHydration,
} from '../support/browser'
import { type Person, startIdentityPortal } from '../support/identity-fixture'

/**
 * The two ways to prove who you are, walked in Chromium as a customer would:
 * with the keyboard, in Japanese and in English, with JavaScript on and off,
 * against the built portal with a real SMTP server on loopback.
 */

// One member for each pair of language and JavaScript, so no test leans on another's limits.
const identity = startIdentityPortal({ people: 4 })

const languages = [
  { language: 'ja', query: '', check: checkJa, exposure: exposureJa, incident: incidentJa, common: commonJa },
  {
    language: 'en',
    query: '?lng=en',
    check: checkEn,
    exposure: exposureEn,
    incident: incidentEn,
    common: commonEn,
  },
] as const

type Language = (typeof languages)[number]

const javaScriptModes = [
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
] as const

function session(javaScriptEnabled: boolean): BrowserSession {
  return javaScriptEnabled ? identity.withJavaScript : identity.withoutJavaScript
}

function person(javaScriptEnabled: boolean, { language }: Language): Person {
  const person = identity.people[(javaScriptEnabled ? 0 : 2) + (language === 'ja' ? 0 : 1)]
  if (!person) throw new Error('too few people in the data')
  return person
}

/** `person0@example.jp` → `p***@example.jp`, as the exposure view shows it. */
function masked(email: string) {
  const [local = '', domain = ''] = email.split('@')
  return `${local.slice(0, 1)}***@${domain}`
}

/**
 * The page now showing is the one whose h1 is `heading`, in `language`,
 * passes axe, and fits a phone without scrolling sideways.
 */
async function expectPage(page: Page, { language }: Language, heading: string) {
  // After a client-side navigation the URL can change a moment before the new page renders.
  await expect.poll(() => headingText(page), { message: `the h1 of ${page.url()}` }).toBe(heading)
  expect(await documentLanguage(page)).toBe(language)
  await expectTranslatedHeadingAndTitle(page, language)
  await expectNoAxeViolations(page)
  await expectFitsPhone(page)
}

/**
 * Submits the focused form with Enter and checks the server's answer to its
 * POST: a redirect onwards, or 422 for an entry to correct. A refused post
 * fails here, naming the Origin the browser sent, rather than as a timeout later.
 */
async function submit(page: Page, outcome: 'accepted' | 'corrected') {
  const posted = page.waitForRequest((request) => request.method() === 'POST')
  await page.keyboard.press('Enter')
  const request = await posted
  const response = await request.response()
  const status = response?.status() ?? 0
  // Chromium may no longer hold the body of a request the page has dealt with.
  const answer = status >= 400 ? ((await response?.text().catch(() => '')) ?? '').slice(0, 200) : ''
  const origin = await request.headerValue('origin')
  const what = `POST ${new URL(request.url()).pathname} (Origin: ${origin}) answered ${status} ${answer}`
  if (outcome === 'accepted') expect(status, what).toBeLessThan(400)
  else expect(status, what).toBe(422)
}

/** Follows a link of the page's main content from the keyboard. */
async function followLink(page: Page, href: string) {
  await page.locator(`main a[href="${href}"]`).first().focus()
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => url.pathname === href)
}

/**
 * The field `id` is marked invalid and points (aria-describedby) at an error,
 * shown inside the field's own group, that says `message`; no other field is invalid.
 */
async function expectFieldError(page: Page, id: string, message: string) {
  const error = page.locator(`#${id}-error`)
  await error.waitFor()
  const input = page.locator(`input#${id}`)
  expect(await input.getAttribute('aria-invalid')).toBe('true')
  const describedBy = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/)
  expect(describedBy, `aria-describedby of #${id}`).toContain(`${id}-error`)
  expect(((await error.textContent()) ?? '').trim()).toBe(message)
  expect(await error.isVisible()).toBe(true)
  const group = page.locator('.field', { has: input })
  expect(await group.locator(`#${id}-error`).count(), `the error sits next to #${id}`).toBe(1)
  expect(await page.locator('[aria-invalid="true"]').count(), 'invalid fields').toBe(1)
}

/** Shows the exposure view: the right heading and the member's e-mail, masked and never whole. */
async function expectExposure(page: Page, language: Language, email: string) {
  await page.waitForURL((url) => url.pathname === '/exposure')
  await expectPage(page, language, language.exposure.heading)
  const cells = page.locator('main dd', { hasText: masked(email) })
  expect(await cells.count(), `${masked(email)} on the exposure view`).toBeGreaterThan(0)
  expect(await page.locator('body').textContent()).not.toContain(email)
}

/**
 * Signs out from the keyboard: home again, and the exposure view is closed to
 * this browser, saying the session ended and leading back to the way it checked.
 */
async function signOut(page: Page, language: Language, way: 'email' | 'letter') {
  await page.getByRole('button', { name: language.exposure.signOut.button }).focus()
  await submit(page, 'accepted')
  await page.waitForURL((url) => url.pathname === '/signout/done')
  await expect.poll(() => headingText(page)).toBe(language.check.signedOut.heading)
  const ended = await page.goto(`${identity.portal.url}/exposure`)
  expect(ended?.status()).toBe(403)
  expect(await headingText(page)).toBe(language.common.sessionEnded.ended.title)
  const back = page.getByRole('link', { name: language.common.sessionEnded.ways[way] })
  expect(await back.getAttribute('href')).toBe(`/check/${way}`)
  await expectNoAxeViolations(page)
}

/**
 * No console problems but one: a wrong entry is answered 422, and Chromium logs
 * "Failed to load resource" for it (the page's own POST with JavaScript off, the
 * `.data` request of that POST with it on). That answer is the point of the test.
 */
function expectNoConsoleProblemsBut422(browser: BrowserSession, path: string) {
  const expected = new RegExp(
    `status of 422 \\(Unprocessable Entity\\) \\(${escapeRegExp(identity.portal.url + path)}(\\.data)?(\\?index)?\\)$`,
  )
  // After signing out, the exposure view answers 403 with the page saying the session ended.
  const ended = new RegExp(
    `status of 403 \\(Forbidden\\) \\(${escapeRegExp(`${identity.portal.url}/exposure`)}\\)$`,
  )
  const problems = browser
    .consoleProblems()
    .filter((problem) => !expected.test(problem) && !ended.test(problem))
  expect(problems, `console problems on ${browser.page.url()}`).toEqual([])
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A 6-digit code that is not `code`. */
function wrongCode(code: string) {
  return `${(Number(code[0]) + 1) % 10}${code.slice(1)}`
}

/** The letter code with its check symbol changed: a typo the check symbol catches. */
function mistyped(letterCode: string) {
  const check = letterCode.at(-1)
  return `${letterCode.slice(0, -1)}${check === '0' ? '1' : '0'}`
}

describe.each(javaScriptModes)('with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each(languages)('a member confirms by e-mail code, in $language', async (language) => {
    const browser = session(javaScriptEnabled)
    const { page } = browser
    const { email } = person(javaScriptEnabled, language)
    await startOver(browser)

    await page.goto(`${identity.portal.url}/check${language.query}`)
    if (javaScriptEnabled) await waitForHydration(page)
    await expectPage(page, language, language.check.heading)

    await followLink(page, '/check/email')
    await expectPage(page, language, language.check.email.heading)

    const seen = identity.emailCodes(email).length
    await typeInto(page, '#email', email)
    await submit(page, 'accepted')
    await page.waitForURL((url) => url.pathname === '/check/email/code')
    await expectPage(page, language, language.check.emailCode.heading)
    const code = await identity.nextEmailCode(email, seen)

    await typeInto(page, '#code', wrongCode(code))
    await submit(page, 'corrected')
    await expectFieldError(page, 'code', language.check.emailCode.errors.wrong)
    await expectPage(page, language, language.check.emailCode.heading)

    await typeInto(page, '#code', code)
    await submit(page, 'accepted')
    await expectExposure(page, language, email)

    // Printed, the view keeps its cards and drops the sign-out form, which is no use on paper.
    await page.emulateMedia({ media: 'print' })
    try {
      const signOutButton = page.getByRole('button', { name: language.exposure.signOut.button })
      expect(await signOutButton.isVisible(), 'the sign-out button in print').toBe(false)
      expect(await page.locator('main .exposure-item').first().isVisible(), 'the cards in print').toBe(true)
    } finally {
      await page.emulateMedia({ media: 'screen' })
    }

    await signOut(page, language, 'email')
    expectNoConsoleProblemsBut422(browser, '/check/email/code')
  })

  test.each(languages)(
    'a member confirms with letter code and birth date, in $language',
    async (language) => {
      const browser = session(javaScriptEnabled)
      const { page } = browser
      const { email, letterCode, birthDate } = person(javaScriptEnabled, language)
      await startOver(browser)

      await page.goto(`${identity.portal.url}/check${language.query}`)
      if (javaScriptEnabled) await waitForHydration(page)
      await followLink(page, '/check/letter')

      // A typo the check symbol catches: said of the code, before any lookup.
      await typeInto(page, '#code', mistyped(letterCode))
      await typeInto(page, '#proof', birthDate)
      await submit(page, 'corrected')
      await expectFieldError(page, 'code', language.check.letter.errors.checkTheCode)
      await expectPage(page, language, language.check.letter.heading)

      // A real code with the wrong birth date: said of the pair, next to the second field.
      await typeInto(page, '#code', letterCode)
      await typeInto(page, '#proof', '1999-12-31')
      await submit(page, 'corrected')
      await expectFieldError(page, 'proof', language.check.letter.errors.noMatch)

      // Typed as people do: in Japanese the code with spaces and the date the Japanese way.
      const [year, month, day] = birthDate.split('-').map(Number)
      await typeInto(
        page,
        '#code',
        language.language === 'ja' ? letterCode.replaceAll('-', ' ') : letterCode.toLowerCase(),
      )
      await typeInto(page, '#proof', language.language === 'ja' ? `${year}年${month}月${day}日` : birthDate)
      await submit(page, 'accepted')
      await expectExposure(page, language, email)

      await signOut(page, language, 'letter')
      expectNoConsoleProblemsBut422(browser, '/check/letter')
    },
  )
})
