import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  documentLanguage,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  hasJapanese,
  headingText,
  isDocumentMarked,
  markDocument,
  startOver,
  waitForHydration,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'

const fixture = startPortalWithBrowsers()

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
])('the language switcher with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  const session = () => (javaScriptEnabled ? fixture.withJavaScript : fixture.withoutJavaScript)

  /** A first visit to `path`, in Japanese since the browser asks for Japanese. */
  async function openInJapanese(path: string) {
    const { page } = session()
    await startOver(session())
    await page.goto(`${fixture.portal.url}${path}`)
    if (javaScriptEnabled) await waitForHydration(page)
    expect(await documentLanguage(page)).toBe('ja')
    await expectTranslatedHeadingAndTitle(page, 'ja')
    // Only the other language is a button; the current one is marked as such.
    await expectSwitcherShows(page, { current: '日本語', other: 'English' })
    if (javaScriptEnabled) await markDocument(page)
    return page
  }

  /** Waits for the page to turn to `language` at `path`, and checks it. */
  async function expectSwitchedTo(page: Page, language: 'ja' | 'en', path: string) {
    await page.locator(`html[lang="${language}"]`).waitFor({ state: 'attached' })
    const url = new URL(page.url())
    expect(`${url.pathname}${url.search}`).toBe(path)
    await expect
      .poll(async () => hasJapanese(await headingText(page)), { message: `the h1 turns ${language}` })
      .toBe(language === 'ja')
    await expectTranslatedHeadingAndTitle(page, language)
    await expectSwitcherShows(
      page,
      language === 'en' ? { current: 'English', other: '日本語' } : { current: '日本語', other: 'English' },
    )
    if (javaScriptEnabled) {
      // The form was handled by the client router, so the page never reloaded.
      expect(await isDocumentMarked(page), 'the switch reloaded the page').toBe(true)
    }
  }

  test('pressing "English" on /privacy shows /privacy in English, and English sticks', async () => {
    const page = await openInJapanese('/privacy')

    await page.getByRole('button', { name: 'English' }).click()
    await expectSwitchedTo(page, 'en', '/privacy')

    // The choice is kept in a cookie: a fresh load of another page stays English.
    await page.goto(`${fixture.portal.url}/`)
    if (javaScriptEnabled) await waitForHydration(page)
    expect(await documentLanguage(page)).toBe('en')
    await expectTranslatedHeadingAndTitle(page, 'en')

    // And back again.
    if (javaScriptEnabled) await markDocument(page)
    await page.getByRole('button', { name: '日本語' }).click()
    await expectSwitchedTo(page, 'ja', '/')

    expectNoConsoleProblems(session())
  })

  test('works from the keyboard alone', async () => {
    const page = await openInJapanese('/privacy')

    let presses = 0
    while (!(await isEnglishButtonFocused(page))) {
      presses += 1
      expect(presses, 'Tab presses to reach the "English" button').toBeLessThanOrEqual(10)
      await page.keyboard.press('Tab')
    }
    await page.keyboard.press('Enter')
    await expectSwitchedTo(page, 'en', '/privacy')

    await page.goto(`${fixture.portal.url}/`)
    if (javaScriptEnabled) await waitForHydration(page)
    expect(await documentLanguage(page)).toBe('en')
    expectNoConsoleProblems(session())
  })
})

async function expectSwitcherShows(page: Page, { current, other }: { current: string; other: string }) {
  const switcher = page.locator('header form.language-switcher')
  const buttons = switcher.getByRole('button')
  expect((await buttons.allTextContents()).map((text) => text.trim())).toEqual([other])
  expect((await switcher.locator('[aria-current="true"]').textContent())?.trim()).toBe(current)
}

function isEnglishButtonFocused(page: Page) {
  return page.evaluate(() => {
    const focused = document.activeElement
    return focused instanceof HTMLButtonElement && focused.textContent?.trim() === 'English'
  })
}
