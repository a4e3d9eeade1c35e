import type { Request } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  documentLanguage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  headingText,
  isDocumentMarked,
  looksLikeTranslationKey,
  markDocument,
  recordHeadings,
  replacedDocumentParts,
  startOver,
  waitForHydration,
  waitForNewHeading,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'

const fixture = startPortalWithBrowsers()

const languages = [
  { language: 'ja', path: '/' },
  { language: 'en', path: '/?lng=en' },
] as const

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
])('the incident page with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each(languages)('in $language ($path)', async ({ language, path }) => {
    const session = javaScriptEnabled ? fixture.withJavaScript : fixture.withoutJavaScript
    const { page } = session
    await startOver(session)

    const response = await page.goto(`${fixture.portal.url}${path}`)
    expect(response?.status()).toBe(200)
    if (javaScriptEnabled) {
      await waitForHydration(page)
    } else {
      const scriptsRan = await page.evaluate(() => '__remixContext' in window)
      expect(scriptsRan, 'page scripts ran with JavaScript off').toBe(false)
    }

    expect(await documentLanguage(page)).toBe(language)
    await expectTranslatedHeadingAndTitle(page, language)

    // The way to the self-check.
    const checkLinks = page.locator('main a[href="/check"]')
    expect(await checkLinks.count(), 'links to /check in main').toBeGreaterThan(0)
    expect(await checkLinks.first().isVisible(), 'the first link to /check is visible').toBe(true)

    // Who is affected, and the timeline: real tables with a caption, headers and rows,
    // each reachable from the table of contents.
    for (const section of ['#affected', '#timeline']) {
      const table = page.locator(section).getByRole('table')
      expect(await table.count(), `tables in ${section}`).toBe(1)
      const caption = ((await table.locator('caption').textContent()) ?? '').trim()
      expect(caption, `caption of the table in ${section}`).not.toBe('')
      expect(looksLikeTranslationKey(caption), `caption "${caption}" looks like a translation key`).toBe(
        false,
      )
      expect(await table.getByRole('columnheader').count(), `column headers in ${section}`).toBeGreaterThan(0)
      expect(await table.locator('tbody tr').count(), `body rows in ${section}`).toBeGreaterThan(0)
      expect(await page.locator(`main nav a[href="${section}"]`).count(), `contents link to ${section}`).toBe(
        1,
      )
    }

    await expectNoAxeViolations(page)
    expectNoConsoleProblems(session)
  })
})

describe('the incident page after hydration', () => {
  test.each(languages)('navigates to /privacy on the client in $language', async ({ language, path }) => {
    const { page } = fixture.withJavaScript
    await startOver(fixture.withJavaScript)
    await page.goto(`${fixture.portal.url}${path}`)
    await waitForHydration(page)
    const incidentHeading = await headingText(page)

    const documentRequests: string[] = []
    const recordDocumentRequest = (request: Request) => {
      if (request.resourceType() === 'document') documentRequests.push(request.url())
    }
    page.on('request', recordDocumentRequest)
    await markDocument(page)
    await page.locator('footer a[href="/privacy"]').click()

    await page.waitForURL(`${fixture.portal.url}/privacy`)
    await waitForNewHeading(page, incidentHeading)
    page.off('request', recordDocumentRequest)
    expect(await isDocumentMarked(page), 'the page was reloaded instead of navigating on the client').toBe(
      true,
    )
    expect(documentRequests, 'documents loaded by the navigation').toEqual([])
    expect(await replacedDocumentParts(page), 'parts of the document React rebuilt').toEqual([])
    expect(await documentLanguage(page)).toBe(language)
    await expectTranslatedHeadingAndTitle(page, language)
    expectNoConsoleProblems(fixture.withJavaScript)
  })

  test.each(languages)(
    'shows no raw translation keys while navigating on the client in $language',
    async ({ path }) => {
      const { page } = fixture.withJavaScript
      await startOver(fixture.withJavaScript)
      await page.goto(`${fixture.portal.url}${path}`)
      await waitForHydration(page)
      const incidentHeading = await headingText(page)
      const headingsSeen = await recordHeadings(page)

      // To a page whose translations the browser has not loaded yet, and back.
      await page.locator('footer a[href="/privacy"]').click()
      const privacyHeading = await waitForNewHeading(page, incidentHeading)
      await page.locator('footer a[href="/"]').click()
      await waitForNewHeading(page, privacyHeading)

      const seen = await headingsSeen()
      expect(
        seen.filter((heading) => looksLikeTranslationKey(heading)),
        `raw keys among the h1 texts shown: ${seen.map((heading) => `"${heading}"`).join(' → ')}`,
      ).toEqual([])
      expectNoConsoleProblems(fixture.withJavaScript)
    },
  )
})
