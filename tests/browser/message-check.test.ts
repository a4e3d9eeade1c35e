import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { newMessageReference } from '~/codes/message-reference.server'
import messageCheckEn from '~locales/en/messageCheck.json'
import messageCheckJa from '~locales/ja/messageCheck.json'
import {
  type BrowserSession,
  documentLanguage,
  expectNoAxeViolations,
  expectTranslatedHeadingAndTitle,
  headingText,
  startOver,
  waitForHydration,
} from '../support/browser'
import { readText, startIdentityPortal } from '../support/identity-fixture'

/**
 * "Is this message really from us?" in Chromium, in Japanese and in English,
 * with JavaScript on and off: the reference and address from a notice e-mail
 * the portal really sent, an unknown reference, and a mistyped one.
 */

// One notified member per language; the answers change nothing, so both JavaScript modes share them.
const identity = startIdentityPortal({ people: 2 })

const languages = [
  { language: 'ja', query: '', strings: messageCheckJa, person: 0 },
  { language: 'en', query: '?lng=en', strings: messageCheckEn, person: 1 },
] as const

type Language = (typeof languages)[number]

/** A message reference as e-mails print it: `R-` and two groups of 5 Crockford symbols. */
const MESSAGE_REFERENCE = /R-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/

/** The narrowest screen the portal is designed for. */
const phone = { width: 360, height: 740 }

/** Person `index`'s address and the reference printed on the notice e-mail the portal sent them. */
function notified(index: number) {
  const email = identity.people[index]?.email
  if (!email) throw new Error('too few people in the data')
  const notice = identity.sink.received.find(
    (mail) => mail.to.includes(email) && MESSAGE_REFERENCE.test(readText(mail)),
  )
  const reference = notice ? readText(notice).match(MESSAGE_REFERENCE)?.[0] : undefined
  if (!reference) throw new Error(`no notice with a message reference reached ${email}`)
  return { email, reference }
}

/** The reference with its third symbol changed: the typo the check symbol is there to catch. */
function mistyped(reference: string) {
  return `${reference.slice(0, 2)}${reference[2] === '0' ? '2' : '0'}${reference.slice(3)}`
}

/** The page shows `heading` in `language`, passes axe and fits a phone without scrolling sideways. */
async function expectPage(page: Page, { language, strings }: Language) {
  await expect.poll(() => headingText(page), { message: `the h1 of ${page.url()}` }).toBe(strings.heading)
  expect(await documentLanguage(page)).toBe(language)
  await expectTranslatedHeadingAndTitle(page, language)
  await expectNoAxeViolations(page)
  const desktop = page.viewportSize()
  await page.setViewportSize(phone)
  try {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(scrollWidth, `${page.url()} scrolls sideways at ${phone.width} px`).toBeLessThanOrEqual(
      phone.width,
    )
  } finally {
    if (desktop) await page.setViewportSize(desktop)
  }
}

/**
 * Types the reference and the address from the keyboard and submits with
 * Enter: 200, or 422 to correct. Without JavaScript the answer is a new
 * document, awaited to its end: the axe check lets scripts run, and the inline
 * ones of a document still streaming in would then run too.
 */
async function check(page: Page, reference: string, address: string, status: 200 | 422) {
  const fields: [string, string][] = [
    ['#reference', reference],
    ['#address', address],
  ]
  for (const [selector, text] of fields) {
    await page.locator(selector).focus()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type(text)
  }
  const posted = page.waitForRequest((request) => request.method() === 'POST')
  const loaded = page === identity.withoutJavaScript.page ? page.waitForEvent('load') : undefined
  await page.keyboard.press('Enter')
  const response = await (await posted).response()
  expect(response?.status(), `POST ${response?.url()}`).toBe(status)
  await loaded
}

/** The answer shown, by its heading, and that no field is marked invalid. */
async function expectAnswer(page: Page, role: 'status' | 'alert', heading: string) {
  const answer = page.getByRole(role).filter({ has: page.locator('#answer-heading') })
  await expect.poll(() => answer.locator('h2').textContent()).toBe(heading)
  expect(await page.locator('#answer-heading').count(), 'answers shown').toBe(1)
  expect(await page.locator('[aria-invalid="true"]').count(), 'invalid fields').toBe(0)
}

/** The reference field alone is invalid, and describes itself with `message`, shown inside its own group. */
async function expectReferenceError(page: Page, message: string) {
  const error = page.locator('.field', { has: page.locator('input#reference') }).locator('#reference-error')
  await error.waitFor()
  expect(((await error.textContent()) ?? '').trim()).toBe(message)
  const input = page.locator('input#reference')
  expect(await input.getAttribute('aria-invalid')).toBe('true')
  expect(((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/)).toContain('reference-error')
  expect(await page.locator('[aria-invalid="true"]').count(), 'invalid fields').toBe(1)
  expect(await page.locator('#answer-heading').count(), 'answers shown').toBe(0)
}

/**
 * No console problems but the 422 of the mistyped reference, which Chromium
 * logs as "Failed to load resource" for the page's own POST (its `.data`
 * request with JavaScript on). That answer is the point of the test.
 */
function expectNoConsoleProblemsBut422(browser: BrowserSession, { query }: Language) {
  const page = `${identity.portal.url}/message-check`
  const expected = new RegExp(
    `status of 422 \\(Unprocessable Entity\\) \\(${escapeRegExp(page)}(\\.data)?${escapeRegExp(query)}\\)$`,
  )
  const problems = browser.consoleProblems().filter((problem) => !expected.test(problem))
  expect(problems, `console problems on ${browser.page.url()}`).toEqual([])
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
] as const)('with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each(languages)('a message is checked, in $language', async (language) => {
    const browser = javaScriptEnabled ? identity.withJavaScript : identity.withoutJavaScript
    const { page } = browser
    const { email, reference } = notified(language.person)
    const { strings } = language
    await startOver(browser)

    await page.goto(`${identity.portal.url}/message-check${language.query}`)
    if (javaScriptEnabled) await waitForHydration(page)
    await expectPage(page, language)

    // A typo the check symbol catches: said of the reference, and nothing looked up.
    await check(page, mistyped(reference), email, 422)
    await expectReferenceError(page, strings.errors.checkTheReference)
    await expectPage(page, language)

    // Well formed, but never issued.
    await check(page, newMessageReference().printed, email, 200)
    await expectAnswer(page, 'alert', strings.notSent.heading)
    await expectPage(page, language)

    // The notice's own reference and address, typed as people do: in English without hyphens, lower case.
    const typed = language.language === 'en' ? reference.replaceAll('-', '').toLowerCase() : reference
    await check(page, typed, email, 200)
    await expectAnswer(page, 'status', strings.sent.heading)
    await expectPage(page, language)

    expectNoConsoleProblemsBut422(browser, language)
  })
})
