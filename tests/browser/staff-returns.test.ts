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
import { layoutProblems } from '../support/layout-checks'
import { filledDatabase } from '../support/migrated-database'
import { type PortalServer, startPortal } from '../support/portal-server'
import { fileTestReturn, type SeededReturn } from '../support/return-requests'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal, DEMO_AGENT, enrolDemoStaff } from '../support/staff-portal'

/**
 * The return queue and a request's page in Chromium without JavaScript, in
 * Japanese and English, at 360 and 1280 px: each passes axe and the layout
 * checks (nothing scrolls sideways, no word broken, 44 px targets), and the
 * photos load as images of their own size.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const TEXT = { ja: staffJa, en: staffEn } as const
const WIDTHS = [360, 1280] as const
const DAY_MS = 24 * 60 * 60 * 1000

let directory: string
let portal: PortalServer
let cookies: Map<string, string>
let withPhotos: SeededReturn

beforeAll(async () => {
  let databasePath: string
  ;({ directory, databasePath } = await filledDatabase('staff-returns-browser-', async (db) => {
    await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
    withPhotos = await fileTestReturn(db, crypto, {
      ageMs: 9 * DAY_MS,
      reason: 'could_not_return',
      email: 'long.address.for.a.customer@example.co.jp',
      details: {
        numberKind: 'shipping',
        number: 'SK20260114-88231',
        // A long description in both scripts, with its line breaks: kept as written, within the column.
        description: `届いた商品の箱が潰れていました。\n${'The outer box was crushed on one corner and the cup inside broke. '.repeat(4)}`,
        language: 'ja',
      },
      photos: 3,
    })
    await fileTestReturn(db, crypto, {
      ageMs: 2 * 60 * 60 * 1000,
      reason: 'other',
      email: 'k@example.jp',
      details: {
        numberKind: 'order',
        number: 'OD-55120987',
        otherReason: 'ギフト包装がありませんでした',
        description: 'Gift wrapping was missing.',
        language: 'en',
      },
      photos: 0,
    })
  }))
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  // Signed in over HTTP (the sign-in pages have tests of their own); the browser gets the cookies.
  const [agent] = await enrolDemoStaff(portal, [DEMO_AGENT])
  cookies = agent.visitor.cookies
}, 180_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

async function browserAt(width: number): Promise<BrowserSession> {
  const browser = await openBrowser({ javaScriptEnabled: false, viewport: { width, height: 900 } })
  await browser.context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: portal.url })))
  return browser
}

describe('the return pages in a browser', { timeout: 120_000 }, () => {
  for (const width of WIDTHS) {
    it(`read well at ${width} px in both languages`, async () => {
      const browser = await browserAt(width)
      try {
        const { page } = browser
        for (const language of ['ja', 'en'] as const) {
          const text = TEXT[language]
          await page.goto(`${portal.url}/staff/returns?lng=${language}`)
          expect(await documentLanguage(page)).toBe(language)
          expect(await headingText(page)).toBe(text.returnQueue.heading)
          expect(await page.locator('main tbody tr').count()).toBe(2)
          expect(await layoutProblems(page), `queue, ${language} at ${width} px`).toEqual([])
          await expectFitsPhone(page)
          await expectNoAxeViolations(page)

          await page.goto(`${portal.url}/staff/returns?status=rejected`)
          expect(await page.locator('main').textContent()).toContain(text.returnQueue.empty)
          expect(await layoutProblems(page), `empty queue, ${language} at ${width} px`).toEqual([])
          await expectNoAxeViolations(page)

          await page.goto(`${portal.url}/staff/returns/${withPhotos.reference}`)
          expect(await layoutProblems(page), `request, ${language} at ${width} px`).toEqual([])
          await expectFitsPhone(page)
          await expectNoAxeViolations(page)
          const images = page.locator('main .return-photos img')
          expect(await images.count()).toBe(3)
          // Each photo loaded and decoded: its natural size is the one stored.
          const sizes = await images.evaluateAll((elements) =>
            (elements as HTMLImageElement[]).map((image) => [image.naturalWidth, image.naturalHeight]),
          )
          expect(sizes).toEqual([
            [64, 48],
            [72, 48],
            [80, 48],
          ])

          // A post the page refuses shows its message and still passes.
          await page.locator('#return-internal-note').fill('')
          await page.locator('main button[value="note"]').click()
          await page.locator('.field__error', { hasText: text.returnView.errors.noteRequired }).waitFor()
          expect(await layoutProblems(page), `refused note, ${language} at ${width} px`).toEqual([])
          await expectNoAxeViolations(page)

          await page.goto(`${portal.url}/staff/returns/RT-00000-00000`)
          expect(await headingText(page)).toBe(text.returnView.notFound.title)
          await expectNoAxeViolations(page)
        }
        // The refused note answers 422 and the unknown reference 404 on purpose; Chromium logs them.
        const problems = browser
          .consoleProblems()
          .filter((problem) => !/status of (422|404) .*\/staff\/returns\//.test(problem))
        expect(problems).toEqual([])
      } finally {
        await browser.close()
      }
    })
  }
})
