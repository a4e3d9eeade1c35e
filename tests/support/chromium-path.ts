/** Debian's Chromium, unless CHROMIUM_PATH names another binary. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

/**
 * The flags every browser test (and `npm run screenshots`) runs Debian's
 * Chromium with; nothing else. Here rather than in browser.ts, which needs
 * Vitest, so that plain scripts can launch the same browser.
 */
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
