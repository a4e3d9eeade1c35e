import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import returnsEn from '~locales/en/returns.json'
import returnsJa from '~locales/ja/returns.json'
import {
  type BrowserSession,
  documentLanguage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  headingText,
  openBrowser,
  PHONE_VIEWPORT,
  settleAll,
  startOver,
  waitForHydration,
} from '../support/browser'
import { emailCodeTo } from '../support/check-visitor'
import { layoutProblems } from '../support/layout-checks'
import { type PortalServer, startPortal } from '../support/portal-server'
import { jpegWithGps, png } from '../support/return-photos'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * A return request walked in Chromium as a customer would: in Japanese on a
 * phone with JavaScript (the upload sent by XMLHttpRequest, previews of the
 * chosen photos), in English on a wide screen without it (the browser's own
 * form post), each with real photos and the codes read from a real SMTP
 * server on loopback. Every page on the way passes axe and reads at 360 px.
 */

let sink: SmtpSink | undefined
let portal: PortalServer | undefined
let phone: BrowserSession | undefined
let desk: BrowserSession | undefined
let photoDirectory = ''

const WIDE = { width: 1280, height: 900 }

beforeAll(async () => {
  photoDirectory = mkdtempSync(join(tmpdir(), 'return-photos-'))
  const write = (name: string, bytes: Buffer) => writeFileSync(join(photoDirectory, name), bytes)
  await settleAll(
    jpegWithGps('box.jpg').then((photo) => write(photo.name, photo.bytes)),
    png('item.png').then((photo) => write(photo.name, photo.bytes)),
    startSmtpSink().then(async (opened) => {
      sink = opened
      portal = await startPortal({ env: { SMTP_URL: opened.url, SMTP_RATE: '1000' } })
    }),
    openBrowser({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' }).then((opened) => {
      phone = opened
    }),
    openBrowser({ viewport: WIDE, locale: 'en-GB', javaScriptEnabled: false }).then((opened) => {
      desk = opened
    }),
  )
  // A notes file under a photo's name: what a person attaches by mistake.
  write('notes.jpg', Buffer.from('Order 1234: the cup was broken.\n'))
})

afterAll(async () => {
  await settleAll(portal?.stop(), sink?.close(), phone?.close(), desk?.close())
  if (photoDirectory) rmSync(photoDirectory, { recursive: true, force: true })
})

const started = <T>(value: T | undefined) => {
  if (value === undefined) throw new Error('the portal or a browser is used before it started')
  return value
}
const photo = (name: string) => join(photoDirectory, name)
const url = (path: string) => `${started(portal).url}${path}`

const languages = {
  ja: {
    language: 'ja',
    returns: returnsJa,
    email: 'hanako.returns@example.jp',
    description: '外箱がつぶれ、カップが割れていました。',
  },
  en: {
    language: 'en',
    returns: returnsEn,
    email: 'robin.returns@example.com',
    description: 'The outer box was crushed and the cup inside was broken.',
  },
} as const

type Language = (typeof languages)[keyof typeof languages]

/**
 * The page showing is the one whose h1 is `heading`, in `language`; it passes
 * axe, and at 360 px it neither scrolls sideways nor leaves a radio or a box
 * away from its label (nor breaks a word, nor shrinks a tap target).
 */
async function expectStop(page: Page, { language }: Language, heading: string) {
  await expect.poll(() => headingText(page), { message: `the h1 of ${page.url()}` }).toBe(heading)
  expect(await documentLanguage(page)).toBe(language)
  await expectTranslatedHeadingAndTitle(page, language)
  await expectNoAxeViolations(page)
  const size = page.viewportSize()
  await page.setViewportSize(PHONE_VIEWPORT)
  try {
    expect(await layoutProblems(page), `layout of ${page.url()} at 360 px`).toEqual([])
  } finally {
    if (size) await page.setViewportSize(size)
  }
}

/**
 * No console problems but the 422 of a form sent back to be corrected, for
 * which Chromium logs "Failed to load resource" (the browser's own POST
 * without JavaScript, the upload's XMLHttpRequest with it). That answer is
 * the point of the test.
 */
function expectNoConsoleProblemsBut422(session: BrowserSession) {
  const expected = `status of 422 (Unprocessable Entity) (${url('/returns/new')})`
  const problems = session.consoleProblems().filter((problem) => !problem.endsWith(expected))
  expect(problems, `console problems on ${session.page.url()}`).toEqual([])
}

/**
 * The element's text lies on one line at 360 px: a reference broken at a
 * hyphen would read as two. (The layout check looks at runs of letters and
 * digits, so it would not see a break between "RT-7Q4D9-" and "M2X4H".)
 */
async function expectOnOneLineOnPhone(page: Page, selector: string) {
  const size = page.viewportSize()
  await page.setViewportSize(PHONE_VIEWPORT)
  try {
    const lines = await page.locator(selector).evaluate((element) => element.getClientRects().length)
    expect(lines, `lines taken by ${selector} at 360 px`).toBe(1)
  } finally {
    if (size) await page.setViewportSize(size)
  }
}

/** Fills the form as a customer with a damaged parcel would, short of the photos. */
async function fillForm(page: Page, { returns, email, description }: Language) {
  await page.locator('#email').fill(email)
  await page.getByLabel(returns.new.reasons.damaged, { exact: true }).check()
  await page.locator('#number').fill('1234-5678-9012')
  await page.locator('#description').fill(description)
}

/** Sends the code of the latest code e-mail to `email` (sent after the first `from` messages). */
async function enterCode(page: Page, email: string, from: number) {
  const code = await emailCodeTo(started(sink), email, from)
  await page.locator('#code').fill(code)
  await page.locator('#code').press('Enter')
}

/**
 * From the receipt: its RT- reference, then the status page asked with that
 * reference and the address, the code e-mailed there, and the request shown
 * as new. Returns the reference.
 */
async function fileAndLookUp(page: Page, language: Language, from: number) {
  const { returns, email } = language
  await enterCode(page, email, from)
  await expectStop(page, language, returns.filed.heading)
  const reference = ((await page.locator('.return-reference').textContent()) ?? '').trim()
  expect(reference).toMatch(/^RT-[0-9A-Z]{5}-[0-9A-Z]{5}$/)
  expect(await page.locator('main').textContent()).toContain(email)

  await page.getByRole('link', { name: returns.filed.status }).click()
  await page.waitForURL((address) => address.pathname === '/returns/status')
  await expectStop(page, language, returns.status.heading)
  await page.locator('#reference').fill(reference)
  await page.locator('#email').fill(email)
  const asked = started(sink).received.length
  await page.getByRole('button', { name: returns.status.submit }).click()
  await page.locator('#code').waitFor()
  await expectStop(page, language, returns.status.heading)
  await enterCode(page, email, asked)
  const heading = returns.status.view.heading
    .replace(/<\/?reference>/g, '')
    .replace('{{reference}}', reference)
  await expectStop(page, language, heading)
  await expectOnOneLineOnPhone(page, 'h1 .return-status__reference')
  expect(((await page.locator('.return-status dd strong').textContent()) ?? '').trim()).toBe(
    returns.status.statuses.new,
  )
  return reference
}

describe('in Japanese on a phone, with JavaScript', () => {
  const language = languages.ja
  const { returns } = language

  test('the form is walked with Tab in order, and Enter on its button sends it', async () => {
    const session = started(phone)
    const { page } = session
    await startOver(session)
    await page.goto(url('/returns/new'))
    await waitForHydration(page, 'form.return-form')
    await expectStop(page, language, returns.new.heading)

    await page.locator('#email').focus()
    const stops: string[] = []
    for (let presses = 0; presses < 12; presses++) {
      const focused = await page.evaluate(() => {
        const element = document.activeElement
        if (!(element instanceof HTMLElement)) return ''
        if (element instanceof HTMLButtonElement) return `button[${element.type}]`
        return element.id || `${element.getAttribute('name')}`
      })
      stops.push(focused)
      if (focused === 'button[submit]') break
      await page.keyboard.press('Tab')
    }
    expect(stops).toEqual([
      'email',
      'reason',
      'otherReason',
      'number',
      'description',
      'photos',
      'button[submit]',
    ])

    // Sent empty from the keyboard: the page comes back with every problem listed, linked to its field.
    await page.keyboard.press('Enter')
    const summary = page.locator('.problem-summary')
    await summary.waitFor()
    await expectStop(page, language, returns.new.heading)
    const listed = await summary.locator('li').allTextContents()
    expect(listed).toEqual(
      expect.arrayContaining([returns.new.errors.emailRequired, returns.new.errors.reasonRequired]),
    )
    expectNoConsoleProblemsBut422(session)
  })

  test('from the notice, with two photos previewed and sent, to the receipt and the status', async () => {
    const session = started(phone)
    const { page } = session
    await startOver(session)
    await page.goto(url('/'))
    await waitForHydration(page)
    await page.locator('#returns a[href="/returns/new"]').click()
    await page.waitForURL((address) => address.pathname === '/returns/new')
    await expectStop(page, language, returns.new.heading)

    await fillForm(page, language)
    await page.locator('#photos').setInputFiles([photo('box.jpg'), photo('item.png')])
    const previews = page.locator('.photo-previews img')
    await expect.poll(() => previews.count(), { message: 'a preview of each chosen photo' }).toBe(2)
    await expect
      .poll(() =>
        previews.evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth > 0)),
      )
      .toEqual([true, true])
    expect(await page.locator('.photo-previews').textContent()).toContain('box.jpg')
    expect(await page.locator('.photo-previews .field__error').count(), 'warnings on good photos').toBe(0)
    expect(await layoutProblems(page), 'layout with the previews shown').toEqual([])

    const from = started(sink).received.length
    await page.getByRole('button', { name: returns.new.submit }).click()
    await page.waitForURL((address) => address.pathname === '/returns/confirm', { timeout: 30_000 })
    await expectStop(page, language, returns.confirm.heading)
    expect(await page.locator('main').textContent()).toContain(language.email)

    await fileAndLookUp(page, language, from)
    expectNoConsoleProblems(session)
  }, 90_000)
})

describe('in English on a wide screen, without JavaScript', () => {
  const language = languages.en
  const { returns } = language

  test('the form posted by the browser itself files the request, and the status shows it', async () => {
    const session = started(desk)
    const { page } = session
    await startOver(session)
    await page.goto(url('/returns/new'))
    await expectStop(page, language, returns.new.heading)

    await fillForm(page, language)
    await page.locator('#photos').setInputFiles([photo('box.jpg'), photo('item.png')])
    const from = started(sink).received.length
    await page.getByRole('button', { name: returns.new.submit }).click()
    await page.waitForURL((address) => address.pathname === '/returns/confirm', { timeout: 30_000 })
    await expectStop(page, language, returns.confirm.heading)

    await fileAndLookUp(page, language, from)
    expectNoConsoleProblems(session)
  }, 90_000)

  test('a file that is not a photo is named and refused; what was typed and the good photo are kept', async () => {
    const session = started(desk)
    const { page } = session
    await startOver(session)
    await page.goto(url('/returns/new'))
    await fillForm(page, language)
    await page.locator('#photos').setInputFiles([photo('notes.jpg'), photo('item.png')])
    const answered = page.waitForResponse((response) => response.request().method() === 'POST')
    await page.getByRole('button', { name: returns.new.submit }).click()
    expect((await answered).status()).toBe(422)
    await page.locator('.problem-summary').waitFor()
    await expectStop(page, language, returns.new.heading)

    const refusal = returns.new.fileProblems.notImage.replace('{{name}}', 'notes.jpg')
    expect(await page.locator('.problem-summary li').allTextContents()).toEqual([refusal])
    expect(await page.locator('#email').inputValue()).toBe(language.email)
    expect(await page.locator('input[name="reason"][value="damaged"]').isChecked()).toBe(true)
    expect(await page.locator('#number').inputValue()).toBe('1234-5678-9012')
    expect(await page.locator('#description').inputValue()).toBe(language.description)
    const held = page.locator('.held-photos li')
    expect(await held.count(), 'photos held by the draft').toBe(1)
    expect(await held.textContent()).toContain('800 × 600')
    expectNoConsoleProblemsBut422(session)
  }, 60_000)
})
