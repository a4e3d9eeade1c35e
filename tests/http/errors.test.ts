import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { portalCommand } from '../support/portal-command'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

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
    portal = await startPortal({ env: { NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example' } })
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

describe('starting with a bad environment', () => {
  it('stops production with one line naming the missing secret', () => {
    const { PORTAL_DATA_KEY: _omitted, ...secrets } = testSecrets()
    const start = portalCommand('app/cli/start.ts')
    const result = spawnSync(start.command, start.args, {
      cwd: mkdtempSync(join(tmpdir(), 'portal-env-')),
      env: {
        ...start.env,
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://portal.example',
        ...secrets,
      },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Configuration error: PORTAL_DATA_KEY is not set')
    expect(result.stdout).not.toContain('listening')
  })
})
