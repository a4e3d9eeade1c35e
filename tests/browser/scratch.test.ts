import AxeBuilder from '@axe-core/playwright'
import { afterAll, beforeAll, test } from 'vitest'
import { openBrowser } from '../support/browser'
import { type PortalServer, startPortal } from '../support/portal-server'

let portal: PortalServer
beforeAll(async () => {
  portal = await startPortal()
})
afterAll(async () => {
  await portal?.stop()
})

test('explore', async () => {
  const s = await openBrowser({ javaScriptEnabled: false })
  const log = (m: string) => process.stdout.write(`${Date.now() % 100000} ${m}\n`)
  log('open')
  const r = await s.page.goto(portal.url + '/')
  log('goto ' + r?.status())
  log(String(await s.page.evaluate(() => document.documentElement.scrollWidth)))
  log('eval ok')
  const res = await new AxeBuilder({ page: s.page }).analyze()
  log('axe ' + res.violations.length)
  await s.close()
})
