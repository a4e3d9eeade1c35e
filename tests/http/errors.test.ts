import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalServer, startPortal } from '../support/portal-server'
import { PRODUCTION_MAIL } from '../support/secrets'

const STACK_TRACE = /at .+\(?.+\.[jt]sx?:\d+:\d+\)?/

describe('error pages', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal()
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('gives an unknown path a localised 404 page', async () => {
    const ja = await fetch(`${portal.url}/no/such/page`)
    expect(ja.status).toBe(404)
    expect(await ja.text()).toContain('ページが見つかりません')
    const en = await fetch(`${portal.url}/no/such/page?lng=en`)
    expect(en.status).toBe(404)
    const html = await en.text()
    expect(html).toContain('Page not found')
    expect(html).toContain('<title>Page not found')
  })

  it('gives a thrown error a localised 500 page without its message or stack', async () => {
    const response = await fetch(`${portal.url}/dev/error?lng=en`)
    expect(response.status).toBe(500)
    const html = await response.text()
    expect(html).toContain('Something went wrong')
    expect(html).not.toContain('Deliberate failure')
    expect(html).not.toMatch(STACK_TRACE)
  })
})

describe('in production', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({
      env: { NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example', ...PRODUCTION_MAIL },
    })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('sends HSTS and hides the development pages', async () => {
    const home = await fetch(`${portal.url}/`)
    expect(home.headers.get('strict-transport-security')).toMatch(/max-age=\d{8}/)
    const devError = await fetch(`${portal.url}/dev/error`)
    expect(devError.status).toBe(404)
  })
})
