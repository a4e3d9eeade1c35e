import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BrowserSession,
  expectNoConsoleProblems,
  openBrowser,
  PHONE_VIEWPORT,
  settleAll,
  waitForHydration,
} from '../support/browser'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * A reader on a slow phone starts typing as soon as the field appears, before
 * the page's scripts have taken over. React 18 then hydrates in a hurry, and
 * while Remix was still decoding the server's data that made it throw (its
 * error 345) for most such loads. Chromium is slowed six times, as a
 * mid-range phone is next to this machine, and each page is loaded several
 * times, since the window is a few milliseconds wide.
 */

const SLOWDOWN = 6
const LOADS = 8
const TYPED = 'abcdefgh'

let portal: PortalServer
let browser: BrowserSession

beforeAll(
  () =>
    settleAll(
      startPortal().then((started) => {
        portal = started
      }),
      openBrowser({ viewport: PHONE_VIEWPORT }).then((opened) => {
        browser = opened
      }),
    ),
  120_000,
)

afterAll(() => settleAll(portal?.stop(), browser?.close()))

describe('typing while a page loads', { timeout: 180_000 }, () => {
  it.each([
    { path: '/check/email', field: '#email' },
    { path: '/staff/login', field: '#email' },
  ])('on $path raises no error, and every key typed stays in the field', async ({ path, field }) => {
    const { page, context } = browser
    const devtools = await context.newCDPSession(page)
    await devtools.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN })
    try {
      for (let load = 0; load < LOADS; load++) {
        browser.resetConsoleProblems()
        await page.goto(`${portal.url}${path}`, { waitUntil: 'commit' })
        const input = page.locator(field)
        await input.focus()
        for (const key of TYPED) await page.keyboard.press(key)
        await waitForHydration(page, field)
        await page.waitForLoadState('networkidle')
        expect(await input.inputValue(), `load ${load + 1}`).toBe(TYPED)
        expectNoConsoleProblems(browser)
      }
    } finally {
      await devtools.send('Emulation.setCPUThrottlingRate', { rate: 1 })
      await devtools.detach()
    }
  })
})
