import { describe, expect, test } from 'vitest'
import {
  documentLanguage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  headingText,
  isDocumentMarked,
  markDocument,
  replacedDocumentParts,
  startOver,
  waitForHydration,
  waitForNewHeading,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'

const fixture = startPortalWithBrowsers()

const notFoundPages = [
  { language: 'ja', path: '/nope', heading: 'ページが見つかりません' },
  { language: 'en', path: '/nope?lng=en', heading: 'Page not found' },
] as const

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
])('the 404 page with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each(notFoundPages)('in $language ($path)', async ({ language, path, heading }) => {
    const session = javaScriptEnabled ? fixture.withJavaScript : fixture.withoutJavaScript
    const { page } = session
    await startOver(session)

    const url = `${fixture.portal.url}${path}`
    const response = await page.goto(url)
    expect(response?.status()).toBe(404)
    if (javaScriptEnabled) await waitForHydration(page)

    expect(await documentLanguage(page)).toBe(language)
    expect(await headingText(page)).toBe(heading)
    await expectTranslatedHeadingAndTitle(page, language)
    expect(await page.title()).toMatch(new RegExp(`^${heading} \\| `))
    // The way back to the notice.
    const home = page.locator('main a[href="/"]')
    expect(await home.count(), 'links home in main').toBe(1)
    expect(await home.isVisible()).toBe(true)

    await expectNoAxeViolations(page)
    expectNoConsoleProblems(session, { allowNotFound: url })
  })
})

describe('leaving the 404 page with JavaScript on', () => {
  test.each(notFoundPages)(
    'its link home navigates on the client and keeps the document ($language)',
    async ({ language, path, heading }) => {
      const { page } = fixture.withJavaScript
      await startOver(fixture.withJavaScript)
      const url = `${fixture.portal.url}${path}`
      await page.goto(url)
      await waitForHydration(page)

      await markDocument(page)
      await page.locator('main a[href="/"]').click()
      await page.waitForURL(`${fixture.portal.url}/`)
      await waitForNewHeading(page, heading)
      await expectTranslatedHeadingAndTitle(page, language)
      expect(await isDocumentMarked(page), 'the link home reloaded the page').toBe(true)

      // Leaving the error page should swap the page's content, as every other
      // client-side navigation does, not rebuild the whole document.
      expect(await replacedDocumentParts(page), 'parts of the document React rebuilt').toEqual([])
      expectNoConsoleProblems(fixture.withJavaScript, { allowNotFound: url })
    },
  )
})
