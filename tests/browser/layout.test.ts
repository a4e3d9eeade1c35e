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
 *
 * The layout checks run at every stop, width and mode: they cost a few
 * milliseconds. axe costs about a second a page (mostly its colour contrast
 * rule), so it runs where it can find something new, and only there:
 *
 * - At 360 px at every stop. At 1280 px only where the wide layout shows an
 *   element the narrow one hides, or colours an element differently (the
 *   incident notice's table headers, hidden while its tables are stacked):
 *   elsewhere axe would read the same document with the same elements shown in
 *   the same colours. Text sizes are left out of that comparison: text grows
 *   with the screen, and contrast asks less of larger text, so the narrow
 *   check is the stricter.
 * - With JavaScript off, where the page differs from the one axe checked at
 *   the same stop with JavaScript on (the password fields' show button is a
 *   submit button without scripts, a field keeps what was typed into it).
 *   Where the documents are the same, so is everything axe reads in them;
 *   only what axe ignores is left out of the comparison (scripts and the
 *   links that preload them, comments, attribute order, the tokens of hidden
 *   fields).
 *
 * That is 80 axe checks in the file instead of 248: a walk with JavaScript
 * makes 32, one without 8. On a 2-core machine shared with other work, a walk
 * with JavaScript took 70–120 s, one without 45–75 s, the whole file 4½ to
 * 7½ minutes as the machine was less or more busy; with axe at both widths
 * and in both modes everywhere it took 10½.
 */

const NARROW = { width: 360, height: 740 }
const WIDE = { width: 1280, height: 900 }

/** A walk: some 30 stops, each measured at two widths and checked by axe; one to two minutes on 2 cores. */
const WALK_TIMEOUT = 600_000

let world: JourneyWorld | undefined
let withJavaScript: BrowserSession | undefined
let withoutJavaScript: BrowserSession | undefined

/**
 * The documents axe checked with JavaScript on, by language and stop, for the
 * JavaScript-off walks (which run after them) to compare theirs with. A stop
 * missing here (a walk run on its own, or one that failed early) is checked
 * with JavaScript off too.
 */
const checkedWithJavaScript = new Map<string, string>()

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

/**
 * tsx (and esbuild with keepNames) wraps named functions in `__name(...)`, a
 * helper that exists in Node but not in the page; a no-op stands in for it.
 */
async function evaluateInPage<T>(page: Page, inPage: () => T): Promise<T> {
  await page.evaluate('globalThis.__name ??= (fn) => fn')
  return page.evaluate(inPage)
}

/**
 * Runs inside the page: the document as axe reads it. Each form field shows
 * what it holds now (typing changes a field, not its markup); left out is what
 * axe never looks at and what differs between two walks for no reader:
 * scripts and the links that preload them (React drops those links once it
 * has hydrated the page, and the JavaScript-off page keeps them), comments
 * (React's boundaries between pieces of text, which also split the text
 * nodes), the order of attributes, and the values of hidden fields (tokens).
 */
function documentAsAxeReadsIt(): string {
  const copy = document.documentElement.cloneNode(true) as HTMLElement
  const fields = [...document.querySelectorAll('input, textarea, select')]
  const copiedFields = [...copy.querySelectorAll('input, textarea, select')]
  fields.forEach((field, index) => {
    const copied = copiedFields[index]
    if (copied === undefined) return
    if (field instanceof HTMLInputElement) {
      if (field.type === 'hidden') copied.removeAttribute('value')
      else if (field.type === 'checkbox' || field.type === 'radio')
        copied.toggleAttribute('checked', field.checked)
      // A button's value is its name; any other input's is what it holds, drawn in it.
      else if (!['button', 'submit', 'reset', 'image'].includes(field.type))
        copied.setAttribute('value', field.value)
    } else if (field instanceof HTMLTextAreaElement) {
      copied.textContent = field.value
    } else if (field instanceof HTMLSelectElement) {
      const options = [...copied.querySelectorAll('option')]
      for (const [at, option] of [...field.options].entries())
        options[at]?.toggleAttribute('selected', option.selected)
    }
  })
  for (const script of copy.querySelectorAll('script, link[rel="modulepreload"]')) script.remove()
  const comments: Node[] = []
  const walker = document.createTreeWalker(copy, NodeFilter.SHOW_COMMENT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) comments.push(node)
  for (const comment of comments) comment.parentNode?.removeChild(comment)
  copy.normalize()
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    const attributes = [...element.attributes].map(({ name, value }) => [name, value] as const)
    for (const [name] of attributes) element.removeAttribute(name)
    attributes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    for (const [name, value] of attributes) element.setAttribute(name, value)
  }
  return copy.outerHTML
}

/**
 * Runs inside the page: for each element of the body, in document order,
 * whether it is shown (as tests/support/layout-checks.ts decides: rendered,
 * larger than 1 × 1 px, not inside a box clipped to that) and, if so, its
 * colours. Two widths that give the same list show axe the same things in the
 * same colours.
 */
function whatIsShown(): string[] {
  /** Elements whose contents are hidden with them, wherever they are drawn. */
  const hiding = new Set<Element>()
  const shown: string[] = []
  for (const element of document.body.querySelectorAll('*')) {
    if (element.parentElement && hiding.has(element.parentElement)) {
      hiding.add(element)
      shown.push('-')
      continue
    }
    if (
      !element.checkVisibility({ visibilityProperty: true, opacityProperty: true } as CheckVisibilityOptions)
    ) {
      shown.push('-')
      continue
    }
    const box = element.getBoundingClientRect()
    const style = getComputedStyle(element)
    if (box.width <= 1 || box.height <= 1) {
      // A tiny box that clips hides its contents (.visually-hidden, a stacked table's header row).
      if (style.overflow !== 'visible') hiding.add(element)
      shown.push('-')
      continue
    }
    shown.push(`${style.color} ${style.backgroundColor} ${style.backgroundImage} ${style.opacity}`)
  }
  return shown
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
          // The pointer stays where the walk last clicked, and a link or button under it takes
          // its hover colours at one width and not the other: out of the page, nothing is hovered.
          await page.mouse.move(-1, -1)
          const at = (width: number) =>
            `${state.name} (${state.description}), ${language}, ${width} px, JavaScript ${javaScript}`

          await page.setViewportSize(NARROW)
          expect.soft(await layoutProblems(page), `layout of ${at(NARROW.width)}`).toEqual([])
          const key = `${language} ${state.name}`
          const document = await evaluateInPage(page, documentAsAxeReadsIt)
          const checkedAlready = !javaScriptEnabled && checkedWithJavaScript.get(key) === document
          if (javaScriptEnabled) checkedWithJavaScript.set(key, document)
          if (!checkedAlready) {
            expect.soft(await axeFindings(page), `axe on ${at(NARROW.width)}`).toEqual([])
          }
          const narrow = await evaluateInPage(page, whatIsShown)

          await page.setViewportSize(WIDE)
          expect.soft(await layoutProblems(page), `layout of ${at(WIDE.width)}`).toEqual([])
          if (!checkedAlready && (await evaluateInPage(page, whatIsShown)).join('\n') !== narrow.join('\n')) {
            expect.soft(await axeFindings(page), `axe on ${at(WIDE.width)}`).toEqual([])
          }
        }
      } finally {
        await page.setViewportSize(WIDE)
      }
      // The walk reached its end: every stop was measured.
      expect(visited).toContain('too-many-requests')
    },
    WALK_TIMEOUT,
  )
})
