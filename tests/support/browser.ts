import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { chromiumArgs, chromiumPath } from './chromium-path'

export { settleAll } from './settle-all'
export { chromiumArgs }

export type BrowserSession = {
  context: BrowserContext
  page: Page
  /**
   * Console errors, CSP violations ("Refused to …", "… violates the following
   * Content Security Policy directive …") and uncaught page errors since the
   * last reset.
   */
  consoleProblems: () => string[]
  /** Forgets the problems recorded so far, so the next check looks only at what follows. */
  resetConsoleProblems: () => void
  close: () => Promise<void>
}

export type BrowserOptions = {
  javaScriptEnabled?: boolean
  viewport?: { width: number; height: number }
  /**
   * The browser's language, which sets Accept-Language. Japanese unless told:
   * the portal's readers are Japanese first, and a page without `?lng=` or the
   * language cookie follows Accept-Language.
   */
  locale?: string
}

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>

/** Contexts opened with JavaScript off; axe needs special care there. */
const scriptlessContexts = new WeakSet<BrowserContext>()

/**
 * A fresh Chromium with its own throwaway profile. Every page of the context
 * reports console errors, CSP violations and uncaught errors to
 * `consoleProblems()`.
 */
export async function openBrowser({
  javaScriptEnabled = true,
  viewport = { width: 1280, height: 900 },
  locale = 'ja-JP',
}: BrowserOptions = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'portal-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      args: chromiumArgs,
      headless: true,
      javaScriptEnabled,
      viewport,
      locale,
    })
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true })
    throw error
  }
  if (!javaScriptEnabled) scriptlessContexts.add(context)

  let problems: string[] = []
  context.on('console', (message) => {
    const text = message.text()
    if (
      message.type() === 'error' ||
      text.startsWith('Refused to') ||
      text.includes('Content Security Policy')
    ) {
      const { url } = message.location()
      problems.push(`console.${message.type()}: ${text}${url ? ` (${url})` : ''}`)
    }
  })
  context.on('weberror', (webError) => {
    const error = webError.error()
    problems.push(`uncaught error: ${error.stack ?? error.message}`)
  })

  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    consoleProblems: () => [...problems],
    resetConsoleProblems: () => {
      problems = []
    },
    close: async () => {
      try {
        await context.close()
      } finally {
        rmSync(userDataDir, { recursive: true, force: true })
      }
    },
  }
}

/** Forgets cookies (so the language comes from the browser again) and recorded console problems. */
export async function startOver(session: BrowserSession) {
  await session.context.clearCookies()
  session.resetConsoleProblems()
}

/**
 * Asserts the session saw no console error, CSP violation or uncaught error.
 * `allowNotFound` names a URL whose 404 is the point of the test: Chromium logs
 * "Failed to load resource: … 404" for it, which is then not a problem.
 */
export function expectNoConsoleProblems(
  session: BrowserSession,
  { allowNotFound }: { allowNotFound?: string } = {},
) {
  const problems = session
    .consoleProblems()
    .filter(
      (problem) =>
        !(allowNotFound && problem.includes('status of 404') && problem.endsWith(`(${allowNotFound})`)),
    )
  expect(problems, `console problems on ${session.page.url()}`).toEqual([])
}

/**
 * Runs axe on the page as it is now and fails with a readable list of what it
 * found. Legacy mode runs axe in the page itself (and in any same-origin
 * frame; the portal's pages have none) instead of opening a blank helper tab
 * for every check to combine frame results in: the same rules over the same
 * document, in half the time.
 */
export async function expectNoAxeViolations(page: Page) {
  const { violations } = scriptlessContexts.has(page.context())
    ? await analyzeScriptlessPage(page)
    : await new AxeBuilder({ page }).setLegacyMode(true).analyze()
  const report = violations.map((violation) => {
    const nodes = violation.nodes.map(
      (node) =>
        `    - ${node.target.join(' ')}\n      ${(node.failureSummary ?? '').replaceAll('\n', '\n      ')}`,
    )
    return [
      `  ${violation.id} (${violation.impact ?? 'impact unknown'}): ${violation.help}`,
      `    ${violation.helpUrl}`,
      ...nodes,
    ].join('\n')
  })
  expect(violations.length, `axe found violations on ${page.url()}:\n${report.join('\n')}`).toBe(0)
}

/**
 * axe waits on timers, and Chromium runs no timers in a page with JavaScript
 * off. So scripts are allowed for the duration of the check: the page's own
 * scripts were skipped when it was parsed and stay unrun, so axe sees exactly
 * the server-rendered page. Legacy mode keeps axe in this page rather than the
 * blank helper page it would open (which would have JavaScript off too).
 */
async function analyzeScriptlessPage(page: Page): Promise<AxeResults> {
  const cdp = await page.context().newCDPSession(page)
  const setScriptsDisabled = (value: boolean) => cdp.send('Emulation.setScriptExecutionDisabled', { value })
  try {
    // Chromium ignores a session's request that matches that session's own last
    // one, so this session first agrees with Playwright's "disabled".
    await setScriptsDisabled(true)
    await setScriptsDisabled(false)
    const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze()
    const pageScriptsRan = await page.evaluate(() => '__remixContext' in window)
    expect(pageScriptsRan, `the page's own scripts ran during the axe check of ${page.url()}`).toBe(false)
    return results
  } finally {
    // The session stays attached until the context closes: detaching it could
    // hand scripts back to the page.
    await setScriptsDisabled(true)
  }
}

/**
 * True for text that looks like a translation key rather than a translation:
 * `incident.heading`, `common:layout.siteName`, a bare `heading`.
 */
export function looksLikeTranslationKey(text: string) {
  return /^[a-z][\w-]*([.:][\w-]+)*$/.test(text.trim())
}

/** Text with kana or kanji in it. */
export function hasJapanese(text: string) {
  return /[\u3040-\u30ff\u3400-\u9fff]/.test(text)
}

/** The visible text of the page's only h1, failing if there is not exactly one. */
export async function headingText(page: Page) {
  const headings = page.locator('h1')
  expect(await headings.count(), `h1 elements on ${page.url()}`).toBe(1)
  return ((await headings.textContent()) ?? '').trim()
}

/**
 * Checks the text a reader sees first: one non-empty h1 and a document title,
 * neither of them a raw translation key, both in `language`. Returns the h1.
 */
export async function expectTranslatedHeadingAndTitle(page: Page, language: 'ja' | 'en') {
  const heading = await headingText(page)
  const title = (await page.title()).trim()
  const where = `on ${page.url()}`
  expect(heading, `h1 ${where}`).not.toBe('')
  expect(title, `document title ${where}`).not.toBe('')
  expect(looksLikeTranslationKey(heading), `h1 "${heading}" ${where} looks like a translation key`).toBe(
    false,
  )
  for (const part of title.split('|')) {
    expect(looksLikeTranslationKey(part), `title "${title}" ${where} looks like a translation key`).toBe(
      false,
    )
  }
  if (language === 'ja') {
    expect(hasJapanese(heading), `h1 "${heading}" ${where} should be Japanese`).toBe(true)
    expect(hasJapanese(title), `title "${title}" ${where} should be Japanese`).toBe(true)
  } else {
    expect(hasJapanese(heading), `h1 "${heading}" ${where} should be English`).toBe(false)
    expect(heading, `h1 ${where} should be English`).toMatch(/[A-Za-z]{2}/)
  }
  return heading
}

/**
 * Waits for the h1 to change from `previous` to real text (not a translation
 * key a page shows while its translations load), and returns it.
 */
export async function waitForNewHeading(page: Page, previous: string) {
  const isNew = (heading: string) =>
    heading !== previous && heading !== '' && !looksLikeTranslationKey(heading)
  await expect
    .poll(() => headingText(page), { message: `the h1 to change from "${previous}" to translated text` })
    .toSatisfy(isNew)
  return headingText(page)
}

/**
 * Records every h1 text the page shows from now on (each DOM change React
 * commits), for catching what shows only for a moment, such as raw keys while
 * translations load. Returns a function that reads the record.
 */
export async function recordHeadings(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as Window & { __portalTestHeadings?: string[] }).__portalTestHeadings = seen
    const record = () => {
      const text = document.querySelector('h1')?.textContent?.trim() ?? ''
      if (seen.at(-1) !== text) seen.push(text)
    }
    record()
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true })
  })
  return () =>
    page.evaluate(() => (window as Window & { __portalTestHeadings?: string[] }).__portalTestHeadings ?? [])
}

/** The `lang` attribute of the page's `<html>`. */
export function documentLanguage(page: Page) {
  return page.locator('html').getAttribute('lang')
}

/**
 * Waits until React has hydrated the element `selector` names (by default the
 * whole body), so a click is handled by the client router rather than by a
 * full page load.
 */
export async function waitForHydration(page: Page, selector = 'body') {
  await page.waitForFunction(
    (target) => {
      const element = document.querySelector(target)
      return element != null && Object.keys(element).some((key) => key.startsWith('__reactProps$'))
    },
    selector,
    { timeout: 15_000 },
  )
}

/** Parts of the document a client-side navigation should update in place, never rebuild. */
const lastingParts = ['html', 'head', 'head link[rel="stylesheet"]', 'body', 'body > header']

/**
 * Marks the current document, so a test can tell a client-side navigation
 * (the mark survives) from a full page load (it does not), and whether React
 * kept the document's lasting parts (see `replacedDocumentParts`).
 */
export async function markDocument(page: Page) {
  await page.evaluate((selectors) => {
    ;(window as Window & { __portalTestMark?: boolean }).__portalTestMark = true
    for (const selector of selectors) document.querySelector(selector)?.setAttribute('data-test-mark', '')
  }, lastingParts)
}

export function isDocumentMarked(page: Page) {
  return page.evaluate(() => (window as Window & { __portalTestMark?: boolean }).__portalTestMark === true)
}

/**
 * The lasting parts of the document that were replaced since `markDocument`.
 * Were the stylesheet's `<link>` replaced, the page would show unstyled for a
 * moment; were the whole `<head>`, Chromium would drop the favicon and ask for
 * `/favicon.ico`.
 */
export function replacedDocumentParts(page: Page) {
  return page.evaluate(
    (selectors) =>
      selectors.filter((selector) => !document.querySelector(selector)?.hasAttribute('data-test-mark')),
    lastingParts,
  )
}

/** The narrowest screen the portal is designed for. */
export const PHONE_VIEWPORT = { width: 360, height: 740 }

/** The page fits a phone's width: nothing makes it scroll sideways (the culprits are named). */
export async function expectFitsPhone(page: Page) {
  const desktop = page.viewportSize()
  await page.setViewportSize(PHONE_VIEWPORT)
  try {
    const { scrollWidth, sticking } = await page.evaluate(() => {
      const viewportWidth = document.documentElement.clientWidth
      const sticking = [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > viewportWidth + 0.5)
        .slice(0, 5)
        .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`)
      return { scrollWidth: document.documentElement.scrollWidth, sticking }
    })
    expect(
      scrollWidth,
      `${page.url()} scrolls sideways at ${PHONE_VIEWPORT.width} px; sticking out: ${sticking.join(', ')}`,
    ).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
  } finally {
    if (desktop) await page.setViewportSize(desktop)
  }
}

/** Focuses a field, replaces what it holds by typing, and leaves it focused. */
export async function typeInto(page: Page, selector: string, text: string) {
  await page.locator(selector).focus()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.type(text)
}
