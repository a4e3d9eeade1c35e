import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import staffEn from '~locales/en/staff.json'
import staffJa from '~locales/ja/staff.json'
import {
  type BrowserSession,
  documentLanguage,
  expectFitsPhone,
  expectNoAxeViolations,
  headingText,
  openBrowser,
} from '../support/browser'
import { dashboardPopulation } from '../support/dashboard-population'
import { layoutProblems } from '../support/layout-checks'
import { filledDatabase } from '../support/migrated-database'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * The console's dashboard in Chromium, over a notified population some days
 * along: in Japanese and English, at 360 and 1280 px, without JavaScript (and
 * once with it), for a supervisor and an agent. Each view passes axe and the
 * layout checks, the chart is an image with a name, and its table is
 * reachable by keyboard.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const TEXT = { ja: staffJa, en: staffEn } as const
const WIDTHS = [360, 1280] as const

let directory: string
let databasePath: string
let portal: PortalServer
let cookies: { supervisor: Map<string, string>; agent: Map<string, string> }

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-dashboard-browser-', (db) =>
    ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto }),
  ))
  await dashboardPopulation({ directory, databasePath, secrets })
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  // Signed in over HTTP (the sign-in pages have tests of their own); the browser gets the cookies.
  const [supervisor, agent] = await enrolDemoStaff(portal, [DEMO_SUPERVISOR, DEMO_AGENT])
  cookies = { supervisor: supervisor.visitor.cookies, agent: agent.visitor.cookies }
}, 180_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

async function browserAs(
  who: keyof typeof cookies,
  options: { javaScriptEnabled: boolean; width: number },
): Promise<BrowserSession> {
  const browser = await openBrowser({
    javaScriptEnabled: options.javaScriptEnabled,
    viewport: { width: options.width, height: 900 },
  })
  await browser.context.addCookies(
    [...cookies[who]].map(([name, value]) => ({ name, value, url: portal.url })),
  )
  return browser
}

describe('the staff dashboard in a browser', { timeout: 120_000 }, () => {
  for (const javaScriptEnabled of [false, true]) {
    for (const width of WIDTHS) {
      // With JavaScript, the phone alone: what scripts change is the same at every width.
      if (javaScriptEnabled && width !== 360) continue
      it(`shows a supervisor the figures, the chart and its table at ${width} px${javaScriptEnabled ? '' : ' without JavaScript'}`, async () => {
        const browser = await browserAs('supervisor', { javaScriptEnabled, width })
        try {
          const { page } = browser
          for (const language of ['ja', 'en'] as const) {
            const text = TEXT[language]
            await page.goto(`${portal.url}/staff?lng=${language}`)
            expect(await documentLanguage(page)).toBe(language)
            expect(await headingText(page)).toBe(text.home.heading)
            expect(await layoutProblems(page), `${language} at ${width} px`).toEqual([])
            await expectFitsPhone(page)
            await expectNoAxeViolations(page)

            // The chart is one image with a name; the data is the table beside it.
            const chart = page.locator('main svg.progress-chart[role="img"]')
            expect(await chart.count()).toBe(1)
            expect(await page.locator('#progress-chart-title').textContent()).toContain(
              text.dashboard.progress.chartTitle.split('{{')[0] ?? '',
            )
            expect(await page.locator('main table caption').allTextContents()).toContain(
              text.dashboard.progress.tableCaption,
            )
            expect(await page.locator('.progress-table tbody tr').count()).toBe(6)
            expect(await page.locator('main a[href="/staff/report.csv"]').count()).toBe(1)

            // The table's scrolling region is reached by the keyboard, named by the caption.
            const region = page.locator('section.progress-layout__table')
            expect(await region.getAttribute('tabindex')).toBe('0')
            await region.focus()
            expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby'))).toBe(
              'progress-table-caption',
            )
          }
          expect(browser.consoleProblems()).toEqual([])
        } finally {
          await browser.close()
        }
      })
    }
  }

  it('shows an agent the same figures without the report, in both languages on a phone', async () => {
    const browser = await browserAs('agent', { javaScriptEnabled: false, width: 360 })
    try {
      const { page } = browser
      for (const language of ['ja', 'en'] as const) {
        await page.goto(`${portal.url}/staff?lng=${language}`)
        expect(await headingText(page)).toBe(TEXT[language].home.heading)
        expect(await layoutProblems(page)).toEqual([])
        await expectNoAxeViolations(page)
        expect(await page.locator('main svg.progress-chart').count()).toBe(1)
        expect(await page.locator('main a[href="/staff/report.csv"]').count()).toBe(0)
      }
    } finally {
      await browser.close()
    }
  })
})
