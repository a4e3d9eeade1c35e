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
  const r = await s.page.goto(portal.url + '/')
  log('goto ' + r?.status())
  const cdp = await s.context.newCDPSession(s.page)
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: false })
  log(
    'router? ' +
      (await s.page.evaluate(
        () =>
          typeof (window as any).__remixRouter +
          ' ' +
          typeof (window as any).__remixContext +
          ' ' +
          Object.keys(document.body).join(','),
      )),
  )
  const res = await new AxeBuilder({ page: s.page }).analyze()
  log('axe ' + res.violations.length + ' passes ' + res.passes.length)
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
  await cdp.detach()
  await s.page.goto(portal.url + '/privacy')
  log('after: ' + (await s.page.evaluate(() => typeof (window as any).__remixContext)))
  log(JSON.stringify(s.consoleProblems()))
  await s.close()
})
