import type { Page, Request } from 'playwright-core'
import { describe, expect, onTestFinished, test } from 'vitest'
import accountEn from '~locales/en/account.json'
import checkEn from '~locales/en/check.json'
import exposureEn from '~locales/en/exposure.json'
import incidentEn from '~locales/en/incident.json'
import accountJa from '~locales/ja/account.json'
import checkJa from '~locales/ja/check.json'
import exposureJa from '~locales/ja/exposure.json'
import incidentJa from '~locales/ja/incident.json'
import {
  type BrowserSession,
  documentLanguage,
  expectFitsPhone,
  expectNoAxeViolations,
  expectTranslatedHeadingAndTitle,
  headingText,
  isDocumentMarked,
  looksLikeTranslationKey,
  markDocument,
  startOver,
  typeInto,
  waitForHydration,
} from '../support/browser'
import { LEGACY_PASSWORD } from '../support/export-files'
import { type Person, startIdentityPortal } from '../support/identity-fixture'

/**
 * A member's way back into their account after the breach, walked in Chromium
 * with the keyboard, in Japanese and in English, with JavaScript on and off,
 * against the built portal with a real SMTP server on loopback: the e-mail
 * code, the new password (the exposed one refused, show/hide, the strength
 * meter), the registration details (a wrong entry corrected), the ready page,
 * signing out, and signing in again with the new password; and, for other
 * members, a new e-mail address on the details page, confirmed by the code
 * e-mailed to that address (a wrong code first).
 */

// One member for each journey, language and JavaScript: each journey changes its member for good.
const identity = startIdentityPortal({ people: 8 })

const languages = [
  {
    language: 'ja',
    query: '',
    account: accountJa,
    check: checkJa,
    exposure: exposureJa,
    incident: incidentJa,
    resumptionDate: '2026年4月23日',
  },
  {
    language: 'en',
    query: '?lng=en',
    account: accountEn,
    check: checkEn,
    exposure: exposureEn,
    incident: incidentEn,
    resumptionDate: '23 April 2026',
  },
] as const

type Language = (typeof languages)[number]

const javaScriptModes = [
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
] as const

/** Long, unrelated words: what the page advises, and what the policy accepts (zxcvbn 3 or more). */
const NEW_PASSWORD = 'quiet harbour lanterns drift 47'

/** A city typed on the details form, which a refused entry elsewhere must not lose. */
const NEW_CITY = '渋谷区神宮前'

/** A whole journey: an e-mail round trip, ten axe checks, argon2 hashing; it takes about 10 s. */
const JOURNEY_TIMEOUT = 240_000

function session(javaScriptEnabled: boolean): BrowserSession {
  return javaScriptEnabled ? identity.withJavaScript : identity.withoutJavaScript
}

/** The journeys a member can take here; each has its own four members. */
type Journey = 'password' | 'emailChange'

/** Which member of the data walks `journey` in `language` with JavaScript on or off. */
function memberIndex(javaScriptEnabled: boolean, { language }: Language, journey: Journey) {
  return (journey === 'password' ? 0 : 4) + (javaScriptEnabled ? 0 : 2) + (language === 'ja' ? 0 : 1)
}

function person(javaScriptEnabled: boolean, language: Language, journey: Journey = 'password'): Person {
  const person = identity.people[memberIndex(javaScriptEnabled, language, journey)]
  if (!person) throw new Error('too few people in the data')
  return person
}

/** `{{name}}` placeholders filled in, as i18next does. */
function interpolate(text: string, values: Record<string, string | number>) {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''))
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
  await expectNoRawKeys(page)
  await expectNoAxeViolations(page)
  await expectFitsPhone(page)
}

/**
 * No text of the main content (a button, a label, a message) is a translation
 * key such as `signOut.button`: what a page shows when it uses a namespace its
 * client side never loaded. Soft, so the journey goes on and every such text is reported.
 */
async function expectNoRawKeys(page: Page) {
  const texts = await page
    .locator('main :is(button, a, label, legend, p, li, strong, option, h2)')
    .allTextContents()
  const keys = texts
    .map((text) => text.trim())
    .filter((text) => /[.:]/.test(text) && looksLikeTranslationKey(text))
  expect.soft(keys, `texts on ${page.url()} that look like translation keys`).toEqual([])
}

/** A POST of the form at `path`: the page itself without JavaScript, its `.data` with it. */
function isPostTo(path: string) {
  return (request: Request) => {
    const { pathname } = new URL(request.url())
    return request.method() === 'POST' && (pathname === path || pathname === `${path}.data`)
  }
}

/** The value a form POST sent for `name`, URL-encoded or multipart; null when it sent none. */
function formField(request: Request, name: string) {
  const body = request.postData() ?? ''
  const type = request.headers()['content-type'] ?? ''
  if (type.startsWith('multipart/form-data')) {
    const part = body.match(new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`))
    return part?.[1] ?? null
  }
  return new URLSearchParams(body).get(name)
}

/**
 * Presses Enter on what has focus and checks the server's answer to the POST
 * it sends to `path`: a redirect onwards (or the page again), or 422 for an
 * entry to correct. A refused post fails here, naming the Origin the browser
 * sent, rather than as a timeout later.
 */
async function submit(page: Page, path: string, outcome: 'accepted' | 'corrected') {
  const posted = page.waitForRequest(isPostTo(path))
  await page.keyboard.press('Enter')
  await expectAnswer(await posted, outcome)
}

async function expectAnswer(request: Request, outcome: 'accepted' | 'corrected') {
  const response = await request.response()
  const status = response?.status() ?? 0
  // Chromium may no longer hold the body of a request the page has dealt with.
  const answer = status >= 400 ? ((await response?.text().catch(() => '')) ?? '').slice(0, 200) : ''
  const origin = await request.headerValue('origin')
  const what = `POST ${new URL(request.url()).pathname} (Origin: ${origin}) answered ${status} ${answer}`
  if (outcome === 'accepted') expect(status, what).toBeLessThan(400)
  else expect(status, what).toBe(422)
}

/** Focuses the button named `name` and presses Enter on it, as a keyboard user would after Tab. */
async function press(page: Page, name: string, path: string, outcome: 'accepted' | 'corrected') {
  await page.getByRole('button', { name, exact: true }).focus()
  await submit(page, path, outcome)
}

/**
 * Waits for the answer to a POST the page just sent and, when that POST was a
 * page load (JavaScript off), for the new document to replace the one
 * `markDocument` marked.
 */
async function settle(page: Page, request: Request) {
  await request.response()
  if (request.isNavigationRequest()) {
    await expect
      .poll(() => isDocumentMarked(page).catch(() => true), { message: 'a new document' })
      .toBe(false)
    await page.waitForLoadState()
  }
}

/**
 * Presses the show/hide button of the password field `id` from the keyboard and
 * waits for the field to turn `to`: at once with JavaScript, after the server's
 * answer without. Returns the POST it sent, if any.
 */
async function toggleVisibility(page: Page, id: string, path: string, to: 'text' | 'password') {
  await page.locator(`button[aria-controls="${id}"]`).focus()
  await markDocument(page)
  const posts: Request[] = []
  const record = (request: Request) => {
    if (isPostTo(path)(request)) posts.push(request)
  }
  page.on('request', record)
  try {
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator(`input#${id}`).getAttribute('type')).toBe(to)
    for (const request of posts) await settle(page, request)
  } finally {
    page.off('request', record)
  }
  return posts
}

/**
 * Presses Enter in the focused field of a form whose submit button is named
 * `button`, and checks that this submits the form as that button would
 * (`intent` of `expectedIntent`): implicit submission, which keyboard users
 * rely on. When it does not, the failure is recorded (a soft assertion, so
 * the test still fails) and the button is pressed instead, so the rest of the
 * journey is still walked.
 */
async function pressEnterInField(
  page: Page,
  {
    path,
    button,
    expectedIntent,
    outcome,
    javaScriptEnabled,
  }: {
    path: string
    button: string
    expectedIntent: string
    outcome: 'accepted' | 'corrected'
    javaScriptEnabled: boolean
  },
) {
  const field = await page.evaluate(() => document.activeElement?.id ?? '')
  const input = page.locator(`input#${field}`)
  const typed = await input.inputValue()
  await markDocument(page)
  // With JavaScript, a toggle pressed instead sends nothing: no need to wait long to know.
  const posted = page
    .waitForRequest(isPostTo(path), { timeout: javaScriptEnabled ? 2_000 : 5_000 })
    .catch(() => null)
  await page.keyboard.press('Enter')
  const request = await posted
  // A POST without an intent gets the server's default, the form's own button: as good.
  const intent = request ? (formField(request, 'intent') ?? expectedIntent) : null
  if (request && intent === expectedIntent) {
    await expectAnswer(request, outcome)
    return
  }
  // Enter pressed something else (the show/hide button): recorded, then back to a hidden
  // field holding what was typed, and the form's button pressed instead.
  if (request) await settle(page, request)
  const type = await input.getAttribute('type')
  expect
    .soft(
      intent,
      `Enter in #${field} on ${path} should submit the form as "${button}" does (intent=${expectedIntent}); ` +
        `it ${request ? `posted intent=${intent}` : 'posted nothing'}, and the field is now type=${type}`,
    )
    .toBe(expectedIntent)
  if (type === 'text') await toggleVisibility(page, field, path, 'password')
  if ((await input.inputValue()) !== typed) await typeInto(page, `#${field}`, typed)
  await press(page, button, path, outcome)
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

/**
 * "Step 1 of 2" above the form, said to screen readers too, with the current
 * step marked. The total stays 2: a new e-mail address's code is an added step.
 */
async function expectStep(
  page: Page,
  { account }: Language,
  number: number,
  step: keyof Language['account']['steps'],
  total = 2,
) {
  const added = step === 'verify_email'
  const progress = added ? account.steps.added : interpolate(account.steps.progress, { number, total })
  const indicator = page.locator('nav.steps')
  expect(((await indicator.locator('.steps__progress').textContent()) ?? '').trim()).toBe(progress)
  expect(await indicator.getAttribute('aria-label')).toBe(progress)
  expect(await indicator.locator('li').count(), 'the steps listed').toBe(total)
  const current = indicator.locator('li[aria-current="step"]')
  expect(await current.count(), 'the current step').toBe(1)
  const name = account.steps[step]
  expect(((await current.textContent()) ?? '').trim()).toBe(
    added ? interpolate(account.steps.addedItem, { step: name }) : name,
  )
}

/** The live region under the password field: its `<meter>` and the level in words, or nothing yet. */
async function strengthShown(page: Page) {
  const meter = page.locator('#password-strength meter')
  if ((await meter.count()) === 0) return null
  const score = Number(await meter.getAttribute('value'))
  const level = ((await page.locator('#password-strength strong').textContent()) ?? '').trim()
  return { score, level }
}

/**
 * Waits for the strength check of `password` as typed in full (each pause in
 * the typing sends one) and for its answer.
 */
async function strengthChecked(page: Page, password: string) {
  const request = await page.waitForRequest(
    (request) =>
      isPostTo('/account/password-strength')(request) && formField(request, 'password') === password,
  )
  await request.response()
}

/**
 * The requests the page has sent and not yet seen through. Each strength check
 * is a fetcher action, after which Remix reloads the page's loaders; a form
 * submitted meanwhile aborts that reload, which at times ends in an uncaught
 * AbortError in the page. `idle` waits for the page to be quiet first, so a
 * check of the console does not depend on the timing of the keyboard.
 */
function trackRequests(page: Page) {
  const pending = new Set<Request>()
  const add = (request: Request) => {
    pending.add(request)
  }
  const remove = (request: Request) => {
    pending.delete(request)
  }
  page.on('request', add)
  page.on('requestfinished', remove)
  page.on('requestfailed', remove)
  return {
    idle: () =>
      expect
        .poll(() => [...pending].map((request) => request.url()), { message: 'requests in flight' })
        .toEqual([]),
    stop: () => {
      page.off('request', add)
      page.off('requestfinished', remove)
      page.off('requestfailed', remove)
    },
  }
}

/** The meter shows a score of at least `min`, with the level word that score has in `language`. */
async function expectStrength(page: Page, { account }: Language, min: number) {
  await expect
    .poll(() => strengthShown(page), { message: 'the strength meter', timeout: 10_000 })
    .toSatisfy((shown) => shown !== null && shown.score >= min)
  const shown = await strengthShown(page)
  const levels: Record<string, string> = account.strength.levels
  expect(shown?.level).toBe(levels[String(shown?.score)])
}

/** The meter reads a password the policy refuses as such: below "strong", and says it cannot be used. */
async function expectRefusedStrength(page: Page, { account }: Language) {
  await expect
    .poll(() => strengthShown(page), { message: 'the strength meter', timeout: 10_000 })
    .toSatisfy((shown) => shown !== null && shown.level === account.strength.refused)
  expect((await strengthShown(page))?.score).toBeLessThan(3)
}

/** Proves who they are by a code e-mailed to them, and lands on their exposure view. */
async function verifyByEmail(page: Page, language: Language, email: string, javaScriptEnabled: boolean) {
  await page.goto(`${identity.portal.url}/check/email${language.query}`)
  if (javaScriptEnabled) await waitForHydration(page)
  await expect.poll(() => headingText(page)).toBe(language.check.email.heading)
  const seen = identity.emailCodes(email).length
  await typeInto(page, '#email', email)
  await submit(page, '/check/email', 'accepted')
  await page.waitForURL((url) => url.pathname === '/check/email/code')
  await expect.poll(() => headingText(page)).toBe(language.check.emailCode.heading)
  const code = await identity.nextEmailCode(email, seen)
  await typeInto(page, '#code', code)
  await submit(page, '/check/email/code', 'accepted')
  await page.waitForURL((url) => url.pathname === '/exposure')
  await expect.poll(() => headingText(page)).toBe(language.exposure.heading)
}

/**
 * The show/hide button flips the field and keeps what was typed. With
 * JavaScript it does so in place, with no request and no new document;
 * without, it posts the form and the server renders the field the other way,
 * with the strength meter.
 */
async function expectShowHide(page: Page, language: Language, javaScriptEnabled: boolean, typed: string) {
  const input = page.locator('input#password')
  const toggle = page.locator('button[aria-controls="password"]')
  const { show, hide } = language.account.password
  expect(await input.getAttribute('type')).toBe('password')
  expect(((await toggle.textContent()) ?? '').trim()).toBe(show)
  expect(await toggle.getAttribute('aria-pressed')).toBe('false')

  const flip = async (to: 'text' | 'password') => {
    const posts = await toggleVisibility(page, 'password', '/account/password', to)
    if (javaScriptEnabled) {
      expect(
        posts.map((request) => request.url()),
        'requests the show/hide button sent with JavaScript',
      ).toEqual([])
      expect(await isDocumentMarked(page), 'the same document after show/hide').toBe(true)
    } else {
      expect(
        posts.map((request) => formField(request, 'intent')),
        'what the show/hide button posted without JavaScript',
      ).toEqual([to === 'text' ? 'show' : 'hide'])
      for (const request of posts) await expectAnswer(request, 'accepted')
      expect(new URL(page.url()).pathname).toBe('/account/password')
    }
    expect(await input.getAttribute('type')).toBe(to)
    expect(await input.inputValue(), 'what was typed, after show/hide').toBe(typed)
    expect(((await toggle.textContent()) ?? '').trim()).toBe(to === 'text' ? hide : show)
    expect(await toggle.getAttribute('aria-pressed')).toBe(to === 'text' ? 'true' : 'false')
  }

  await flip('text')
  if (!javaScriptEnabled) {
    // The server scored what was typed, as the live meter does with JavaScript.
    await expectStrength(page, language, 3)
    await expectPage(page, language, language.account.password.heading)
  }
  await flip('password')
}

/**
 * No console problems but one: a wrong entry is answered 422, and Chromium logs
 * "Failed to load resource" for it (the page's own POST with JavaScript off, the
 * `.data` request of that POST with it on). That answer is the point of the test.
 */
function expectNoConsoleProblemsBut422(browser: BrowserSession, paths: string[]) {
  const expected = paths.map(
    (path) =>
      new RegExp(
        `status of 422 \\(Unprocessable Entity\\) \\(${escapeRegExp(identity.portal.url + path)}(\\.data)?(\\?[^)]*)?\\)$`,
      ),
  )
  // After signing out, /account answers 403 with the page saying the session ended.
  expected.push(
    new RegExp(`status of 403 \\(Forbidden\\) \\(${escapeRegExp(`${identity.portal.url}/account`)}\\)$`),
  )
  const problems = browser
    .consoleProblems()
    .filter((problem) => !expected.some((pattern) => pattern.test(problem)))
  expect(problems, `console problems on ${browser.page.url()}`).toEqual([])
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * A fresh start for one member: signed out, requests tracked, the identity
 * proved by e-mail, and /account having led on to the first open step, the
 * new password page.
 */
async function startJourney(javaScriptEnabled: boolean, language: Language, journey: Journey) {
  const browser = session(javaScriptEnabled)
  const { page } = browser
  const { email } = person(javaScriptEnabled, language, journey)
  await startOver(browser)
  const requests = trackRequests(page)
  onTestFinished(requests.stop)
  await verifyByEmail(page, language, email, javaScriptEnabled)
  await page.goto(`${identity.portal.url}/account`)
  expect(new URL(page.url()).pathname).toBe('/account/password')
  if (javaScriptEnabled) await waitForHydration(page)
  return { browser, page, requests, email }
}

describe.each(javaScriptModes)('with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each(languages)(
    'a member sets a new password, confirms their details and signs in again, in $language',
    { timeout: JOURNEY_TIMEOUT },
    async (language) => {
      const { browser, page, requests, email } = await startJourney(javaScriptEnabled, language, 'password')
      const { account } = language
      await expectPage(page, language, account.password.heading)
      await expectStep(page, language, 1, 'reset_password')
      expect(await strengthShown(page), 'the strength meter before any typing').toBeNull()

      // The password the breach exposed is refused, with the reason in a list and next to the field.
      await markDocument(page)
      const scored = javaScriptEnabled ? strengthChecked(page, LEGACY_PASSWORD) : null
      await typeInto(page, '#password', LEGACY_PASSWORD)
      if (scored !== null) {
        // The meter follows the typing, scored by the server, without leaving the page.
        await scored
        await expectRefusedStrength(page, language)
        await requests.idle()
        expect(await isDocumentMarked(page), 'the same document while the meter updates').toBe(true)
      }
      await pressEnterInField(page, {
        path: '/account/password',
        button: account.password.submit,
        expectedIntent: 'save',
        outcome: 'corrected',
        javaScriptEnabled,
      })
      const exposed = account.password.refusals.exposedPassword
      const refusals = page.locator('[role="alert"] li')
      await expect.poll(() => refusals.allTextContents()).toContain(exposed)
      expect(((await page.locator('#password-error').textContent()) ?? '').trim()).toBe(exposed)
      expect(await page.locator('input#password').getAttribute('aria-invalid')).toBe('true')
      await expectPage(page, language, account.password.heading)

      // Show and hide what is typed, then save the good password.
      const rescored = javaScriptEnabled ? strengthChecked(page, NEW_PASSWORD) : null
      await typeInto(page, '#password', NEW_PASSWORD)
      await expectShowHide(page, language, javaScriptEnabled, NEW_PASSWORD)
      if (rescored !== null) {
        await rescored
        await expectStrength(page, language, 3)
        await requests.idle()
      }
      await page.locator('#password').focus()
      await pressEnterInField(page, {
        path: '/account/password',
        button: account.password.submit,
        expectedIntent: 'save',
        outcome: 'accepted',
        javaScriptEnabled,
      })

      // Step 2: the details, with word that the password is saved.
      await page.waitForURL((url) => url.pathname === '/account/details')
      expect(new URL(page.url()).searchParams.get('saved')).toBe('password')
      await expectPage(page, language, account.details.heading)
      await expectStep(page, language, 2, 'reconfirm_details')
      const saved = page.locator('[role="status"]', { hasText: account.password.saved })
      expect(await saved.isVisible(), `"${account.password.saved}" on the details page`).toBe(true)
      expect(await page.locator('main').textContent()).toContain(account.details.cards.none)

      // A kana name in Latin letters: said next to that field, and everything typed is kept.
      const familyName = await page.locator('#familyName').inputValue()
      await typeInto(page, '#city', NEW_CITY)
      await typeInto(page, '#familyNameKana', 'mihon')
      await submit(page, '/account/details', 'corrected')
      await expectFieldError(page, 'familyNameKana', account.details.errors.kanaOnly)
      expect(await page.locator('[role="alert"]').textContent()).toContain(account.details.fixErrors)
      expect(await page.locator('#familyNameKana').inputValue()).toBe('mihon')
      expect(await page.locator('#city').inputValue(), 'the city typed before the refusal').toBe(NEW_CITY)
      expect(await page.locator('#familyName').inputValue()).toBe(familyName)
      await expectPage(page, language, account.details.heading)

      // Corrected in hiragana, which the portal turns into katakana; confirmed.
      await typeInto(page, '#familyNameKana', 'みほん')
      await submit(page, '/account/details', 'accepted')
      await page.waitForURL((url) => url.pathname === '/account')
      expect(new URL(page.url()).searchParams.get('saved')).toBe('details')
      await expectReadyPage(page, language)
      const confirmed = page.locator('[role="status"]', { hasText: account.details.confirmed })
      expect(await confirmed.isVisible(), `"${account.details.confirmed}" on the ready page`).toBe(true)

      // Signed out, the account is closed to this browser.
      await page.locator('main form[action="/signout"] button').focus()
      await submit(page, '/signout', 'accepted')
      await page.waitForURL((url) => url.pathname === '/signout/done')
      await expect.poll(() => headingText(page)).toBe(language.check.signedOut.heading)
      // It says so (403, not a redirect) and leads back to the e-mail check this browser used.
      const ended = await page.goto(`${identity.portal.url}/account`)
      expect(ended?.status()).toBe(403)
      expect(new URL(page.url()).pathname).toBe('/account')
      expect(await page.locator('main a[href="/check/email"]').count()).toBe(1)

      // Signed in again with the new password: straight to the ready page.
      await page.goto(`${identity.portal.url}/signin${language.query}`)
      if (javaScriptEnabled) await waitForHydration(page)
      await expectPage(page, language, account.signin.heading)
      await typeInto(page, '#email', email)
      await typeInto(page, '#password', NEW_PASSWORD)
      await pressEnterInField(page, {
        path: '/signin',
        button: account.signin.submit,
        expectedIntent: 'signin',
        outcome: 'accepted',
        javaScriptEnabled,
      })
      await page.waitForURL((url) => url.pathname === '/account')
      await expectReadyPage(page, language)

      // What was confirmed is what is kept: the kana in katakana, the new city.
      await page.locator('main a[href="/account/details"]').focus()
      await page.keyboard.press('Enter')
      await page.waitForURL((url) => url.pathname === '/account/details')
      await expect.poll(() => headingText(page)).toBe(account.details.heading)
      expect(await page.locator('nav.steps').count(), 'a step indicator once every step is done').toBe(0)
      expect(await page.locator('#familyNameKana').inputValue()).toBe('ミホン')
      expect(await page.locator('#city').inputValue()).toBe(NEW_CITY)

      expectNoConsoleProblemsBut422(browser, ['/account/password', '/account/details'])
    },
  )

  test.each(languages)(
    'a member changes their e-mail address and confirms it with the code sent there, in $language',
    { timeout: JOURNEY_TIMEOUT },
    async (language) => {
      const { browser, page, requests, email } = await startJourney(
        javaScriptEnabled,
        language,
        'emailChange',
      )
      const newEmail = `changed-${memberIndex(javaScriptEnabled, language, 'emailChange')}@example.net`
      const { account } = language

      // Step 1: a new password, saved once the meter has scored it.
      await expect.poll(() => headingText(page)).toBe(account.password.heading)
      const scored = javaScriptEnabled ? strengthChecked(page, NEW_PASSWORD) : null
      await typeInto(page, '#password', NEW_PASSWORD)
      if (scored !== null) {
        await scored
        await requests.idle()
      }
      await press(page, account.password.submit, '/account/password', 'accepted')

      // Step 2 of 2: the details, with a new e-mail address typed over the old one.
      await page.waitForURL((url) => url.pathname === '/account/details')
      await expect.poll(() => headingText(page)).toBe(account.details.heading)
      await expectStep(page, language, 2, 'reconfirm_details')
      expect(await page.locator('#email').inputValue(), 'the address on file').toBe(email)
      const seen = identity.emailCodes(newEmail).length
      const mailToOldAddress = () => identity.sink.received.filter((mail) => mail.to.includes(email)).length
      const oldAddressMail = mailToOldAddress()
      const oldAddressCodes = identity.emailCodes(email).length
      await typeInto(page, '#email', newEmail)
      await submit(page, '/account/details', 'accepted')

      // An added step, not "3 of 3": the code sent to the new address, which the page names.
      await page.waitForURL((url) => url.pathname === '/account/email')
      expect(new URL(page.url()).searchParams.get('saved')).toBe('details')
      await expectPage(page, language, account.email.heading)
      await expectStep(page, language, 3, 'verify_email', 3)
      const confirmed = page.locator('[role="status"]', { hasText: account.details.confirmed })
      expect(await confirmed.isVisible(), `"${account.details.confirmed}" on the e-mail page`).toBe(true)
      const intro = interpolate(account.email.intro, { email: newEmail })
      expect(await page.locator('main').textContent(), 'the new address on the e-mail page').toContain(intro)
      expect(await page.getByLabel(account.email.label, { exact: true }).count(), 'the code field').toBe(1)
      for (const name of [account.email.submit, account.email.resend, account.email.cancel]) {
        expect(await page.getByRole('button', { name, exact: true }).count(), `the button "${name}"`).toBe(1)
      }
      const code = await identity.nextEmailCode(newEmail, seen)
      expect(identity.emailCodes(email).length, 'codes sent to the old address since').toBe(oldAddressCodes)

      // A wrong code: refused next to the field, the address not changed.
      const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
      await typeInto(page, '#code', wrongCode)
      await submit(page, '/account/email', 'corrected')
      await expectFieldError(page, 'code', account.email.errors.invalid)
      expect(new URL(page.url()).pathname).toBe('/account/email')
      expect(await page.locator('main').textContent(), 'the new address after a wrong code').toContain(intro)
      await expectPage(page, language, account.email.heading)

      // The right code: the new address replaces the old, and the ready page says so.
      await typeInto(page, '#code', code)
      await submit(page, '/account/email', 'accepted')
      await page.waitForURL((url) => url.pathname === '/account')
      expect(new URL(page.url()).searchParams.get('saved')).toBe('email')
      await expectReadyPage(page, language)
      const done = page.locator('[role="status"]', { hasText: account.email.confirmed })
      expect(await done.isVisible(), `"${account.email.confirmed}" on the ready page`).toBe(true)
      await expect
        .poll(mailToOldAddress, { message: `a notice of the change to ${email}`, timeout: 20_000 })
        .toBeGreaterThan(oldAddressMail)

      // The details now hold the new address, with no step left.
      await page.locator('main a[href="/account/details"]').focus()
      await page.keyboard.press('Enter')
      await page.waitForURL((url) => url.pathname === '/account/details')
      await expect.poll(() => headingText(page)).toBe(account.details.heading)
      expect(await page.locator('nav.steps').count(), 'a step indicator once every step is done').toBe(0)
      expect(await page.locator('#email').inputValue(), 'the address on file').toBe(newEmail)

      expectNoConsoleProblemsBut422(browser, ['/account/email'])
    },
  )
})

/** The ready page: nothing more to do, and the day the shop resumes, in the page's language. */
async function expectReadyPage(page: Page, language: Language) {
  const { hub } = language.account
  await expectPage(page, language, hub.heading)
  const resumption = interpolate(hub.resumption, { date: language.resumptionDate })
  expect(await page.locator('main').textContent(), 'the resumption date').toContain(resumption)
  expect(await page.locator('main').textContent()).toContain(hub.passwordSet)
  const signOut = page.locator('main form[action="/signout"] button')
  expect
    .soft(((await signOut.textContent()) ?? '').trim(), `the sign-out button on ${page.url()}`)
    .toBe(language.account.hub.signOut)
}
