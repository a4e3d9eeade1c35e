import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { ensureProductionBuild } from '~/cli/build'
import { projectRoot } from '~/server/paths'
import { chromiumArgs, chromiumPath } from '../support/chromium-path'
import { type Language, prepareJourneys, STATES_WALKED_ELSEWHERE, walkJourneys } from '../support/journeys'

/**
 * `npm run screenshots [-- folder] [--without-javascript]`: every customer
 * page and state of the demo journeys (tests/support/journeys.ts), full page,
 * at 360 and 1280 px wide, in Japanese and English, as PNGs named
 * `page-state-lang-width.png` in `screenshots/` (or the folder given), for a
 * person to look at. With --without-javascript, also as a browser without
 * JavaScript sees them (`…-lang-width-nojs.png`).
 */

const WIDTHS = [360, 1280] as const
const LANGUAGES: Language[] = ['ja', 'en']
/** The height a phone or a laptop shows at once; the screenshots take the full page anyway. */
const HEIGHT = { 360: 740, 1280: 900 } as const

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'without-javascript': { type: 'boolean', default: false } },
})
if (positionals.length > 1) {
  console.error('usage: npm run screenshots [-- <folder>] [--without-javascript]')
  process.exit(2)
}
const folder = resolve(positionals[0] ?? join(projectRoot, 'screenshots'))
mkdirSync(folder, { recursive: true })

ensureProductionBuild()
const started = Date.now()
const world = await prepareJourneys()
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true })
const written: string[] = []
try {
  const modes = values['without-javascript'] ? [true, false] : [true]
  for (const javaScriptEnabled of modes) {
    for (const language of LANGUAGES) {
      const context = await browser.newContext({
        javaScriptEnabled,
        locale: language === 'ja' ? 'ja-JP' : 'en-GB',
        viewport: { width: 1280, height: HEIGHT[1280] },
      })
      try {
        const page = await context.newPage()
        for await (const state of walkJourneys(world, page, { language, javaScriptEnabled })) {
          for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: HEIGHT[width] })
            const name = `${state.name}-${language}-${width}${javaScriptEnabled ? '' : '-nojs'}.png`
            await page.screenshot({ path: join(folder, name), fullPage: true })
            written.push(name)
            console.log(`${join(folder, name)}  (${state.description}, HTTP ${state.status ?? '?'})`)
          }
          await page.setViewportSize({ width: 1280, height: HEIGHT[1280] })
        }
      } finally {
        await context.close()
      }
    }
  }
} finally {
  await browser.close()
  await world.close()
}
console.log(
  `\n${written.length} screenshots in ${folder} (${Math.round((Date.now() - started) / 1000)} s). Look at them.`,
)
console.log(
  `Looked at by other tests (tests/support/journeys.ts, STATES_WALKED_ELSEWHERE):\n  ${STATES_WALKED_ELSEWHERE.join('\n  ')}`,
)
