import { afterAll, beforeAll } from 'vitest'
import { type BrowserSession, openBrowser, settleAll } from './browser'
import { type PortalServer, startPortal } from './portal-server'

export type PortalWithBrowsers = {
  readonly portal: PortalServer
  readonly withJavaScript: BrowserSession
  readonly withoutJavaScript: BrowserSession
}

/**
 * One built portal and two Chromium profiles (JavaScript on and off) for a
 * test file, started together before its tests and closed after them.
 */
export function startPortalWithBrowsers({
  viewport,
  env,
}: {
  viewport?: { width: number; height: number }
  /** Besides startPortal's defaults: the portal's secrets, say, when the file writes to its database. */
  env?: Record<string, string>
} = {}): PortalWithBrowsers {
  let portal: PortalServer | undefined
  let withJavaScript: BrowserSession | undefined
  let withoutJavaScript: BrowserSession | undefined
  beforeAll(() =>
    settleAll(
      startPortal({ env }).then((started) => {
        portal = started
      }),
      openBrowser({ viewport }).then((opened) => {
        withJavaScript = opened
      }),
      openBrowser({ viewport, javaScriptEnabled: false }).then((opened) => {
        withoutJavaScript = opened
      }),
    ),
  )
  afterAll(() => settleAll(portal?.stop(), withJavaScript?.close(), withoutJavaScript?.close()))
  const started = <T>(value: T | undefined) => {
    if (value === undefined) throw new Error('the browser fixture is used before it started')
    return value
  }
  return {
    get portal() {
      return started(portal)
    },
    get withJavaScript() {
      return started(withJavaScript)
    },
    get withoutJavaScript() {
      return started(withoutJavaScript)
    },
  }
}
