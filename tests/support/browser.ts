import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { chromiumPath } from './chromium-path'

/** The flags every browser test runs Debian's Chromium with; nothing else. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export type BrowserSession = {
  context: BrowserContext
  page: Page
  /** Console errors, CSP violations ("Refused to …") and uncaught page errors, oldest first. */
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

  let problems: string[] = []
  context.on('console', (message) => {
    const text = message.text()
    if (message.type() === 'error' || text.startsWith('Refused to')) {
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

/** Runs axe on the page as it is now and fails with a readable list of what it found. */
export async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const report = violations.map((violation) => {
    const targets = violation.nodes.map(
      (node) => `    - ${node.target.join(' ')}: ${node.failureSummary ?? ''}`,
    )
    return [
      `  ${violation.id} (${violation.impact ?? 'no impact given'}): ${violation.help}`,
      `    ${violation.helpUrl}`,
      ...targets,
    ].join('\n')
  })
  expect(violations.length, `axe found violations on ${page.url()}:\n${report.join('\n')}`).toBe(0)
}

/**
 * True for text that looks like a translation key rather than a translation:
 * `incident.heading`, `common:layout.siteName`, a bare `heading`.
 */
export function looksLikeTranslationKey(text: string) {
  return /^[a-z][\w-]*([.:][\w-]+)*$/.test(text.trim())
}

/** The visible text of the page's only h1, failing if there is not exactly one. */
export async function headingText(page: Page) {
  const headings = page.locator('h1')
  expect(await headings.count(), `h1 elements on ${page.url()}`).toBe(1)
  return (await headings.innerText()).trim()
}

/**
 * Checks the text a reader sees first: one non-empty h1 and a document title,
 * neither of them a raw translation key.
 */
export async function expectTranslatedHeadingAndTitle(page: Page) {
  const heading = await headingText(page)
  expect(heading, `h1 on ${page.url()}`).not.toBe('')
  expect(looksLikeTranslationKey(heading), `h1 "${heading}" on ${page.url()} looks like a key`).toBe(false)
  const title = (await page.title()).trim()
  expect(title, `document title on ${page.url()}`).not.toBe('')
  for (const part of title.split('|')) {
    expect(looksLikeTranslationKey(part), `title "${title}" on ${page.url()} looks like a key`).toBe(false)
  }
  return heading
}

/** The `lang` attribute of the page's `<html>`. */
export function documentLanguage(page: Page) {
  return page.locator('html').getAttribute('lang')
}

/**
 * Waits until React has hydrated the element `selector` names, so that a click
 * on it is handled by the client router rather than by a full page load.
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
