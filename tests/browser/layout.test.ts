import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BrowserSession, expectNoAxeViolations, openBrowser, settleAll } from '../support/browser'
import { type JourneyWorld, type Language, prepareJourneys, walkJourneys } from '../support/journeys'
import { layoutProblems } from '../support/layout-checks'

/**
 * Every customer page and state of the demo journeys (tests/support/journeys.ts,
 * the same stops `npm run screenshots` photographs), in Japanese and English,
 * with JavaScript on and off, at 360 and 1280 px wide: nothing wider than the
 * screen, no word broken inside, radios and checkboxes on their label's line,
 * tap targets of 44 px (tests/support/layout-checks.ts), and axe-clean.
 *
 * One walk per language and JavaScript mode; at each stop the viewport is set
 * to each width in turn and the page measured again, rather than the whole
 * walk repeated per width. Every problem of every stop is reported (soft
 * assertions), each named by stop, language, width and JavaScript.
 */

const WIDTHS = [
  { width: 360, height: 740 },
  { width: 1280, height: 900 },
] as const

/** A walk: some 25 stops, each measured and checked by axe at two widths; about a minute on 2 cores. */
const WALK_TIMEOUT = 600_000

let world: JourneyWorld | undefined
let withJavaScript: BrowserSession | undefined
let withoutJavaScript: BrowserSession | undefined

beforeAll(
  () =>
    settleAll(
      prepareJourneys().then((prepared) => {
        world = prepared
      }),
      openBrowser().then((opened) => {
        withJavaScript = opened
      }),
      openBrowser({ javaScriptEnabled: false }).then((opened) => {
        withoutJavaScript = opened
      }),
    ),
  // The demo's notices are delivered before the walk (tests/support/journeys.ts): minutes under load.
  300_000,
)

afterAll(() => settleAll(world?.close(), withJavaScript?.close(), withoutJavaScript?.close()))

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the layout test is used before its portal and browsers started')
  return value
}

/** What axe found on the page as it is now, as one readable report, or nothing. */
async function axeFindings(page: Page): Promise<string[]> {
  try {
    await expectNoAxeViolations(page)
    return []
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)]
  }
}

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
] as const)('with JavaScript $javaScript', ({ javaScript, javaScriptEnabled }) => {
  test.each(['ja', 'en'] as const satisfies readonly Language[])(
    'every customer page in %s reads at 360 and 1280 px and passes axe',
    async (language) => {
      const { page } = started(javaScriptEnabled ? withJavaScript : withoutJavaScript)
      const visited: string[] = []
      try {
        for await (const state of walkJourneys(started(world), page, { language, javaScriptEnabled })) {
          visited.push(state.name)
          for (const viewport of WIDTHS) {
            await page.setViewportSize(viewport)
            const where = `${state.name} (${state.description}), ${language}, ${viewport.width} px, JavaScript ${javaScript}`
            expect.soft(await layoutProblems(page), `layout of ${where}`).toEqual([])
            expect.soft(await axeFindings(page), `axe on ${where}`).toEqual([])
          }
        }
      } finally {
        await page.setViewportSize(WIDTHS[1])
      }
      // The walk reached its end: every stop was measured.
      expect(visited).toContain('too-many-requests')
    },
    WALK_TIMEOUT,
  )
})
