import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importExport } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { type PortalServer, startPortal } from '../support/portal-server'
import { networkAddress, portOf, rawRequest } from '../support/raw-http'
import { PRODUCTION_MAIL, testSecrets } from '../support/secrets'

/**
 * A portal started without NODE_ENV=production by mistake must not expose
 * anything: it listens on loopback only, answers only its own host names
 * (production too), and its development pages serve only this machine, the
 * outbox only while the database holds generated demo people alone.
 */

const EXPORT = {
  'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: 'hanako.safe@example.jp' })],
}

describe('outside production, without HOST', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal()
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('listens on loopback only: the network address of this machine is refused', async () => {
    const port = portOf(portal.url)
    expect((await rawRequest({ port, headers: { Host: `localhost:${port}` } })).status).toBe(200)
    await expect(
      rawRequest({ address: networkAddress(), port, headers: { Host: `localhost:${port}` } }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('answers loopback names on any port and refuses any other Host with a plain 421', async () => {
    const port = portOf(portal.url)
    for (const host of [
      `localhost:${port}`,
      'localhost',
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'app.localhost:8080',
    ]) {
      expect((await rawRequest({ port, headers: { Host: host } })).status, host).toBe(200)
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `192.0.2.1:${port}`,
      'localhost.evil.example',
      'a@b',
    ]) {
      const response = await rawRequest({ port, headers: { Host: host } })
      expect(response.status, host).toBe(421)
      expect(response.headers['content-type']).toMatch(/^text\/plain/)
      expect(response.body).toContain('This portal does not answer at this address.')
    }
    // Static files too: a rebinding page must reach nothing.
    expect((await rawRequest({ port, path: '/favicon.svg', headers: { Host: 'evil.example' } })).status).toBe(
      421,
    )
  })
})

describe('HOST set outside production', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({ env: { HOST: '0.0.0.0' } })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('listens where HOST says, but serves /dev/* to this machine only', async () => {
    const port = portOf(portal.url)
    const host = { Host: `localhost:${port}` }
    const fromNetwork = (path: string) => rawRequest({ address: networkAddress(), port, path, headers: host })
    expect((await fromNetwork('/')).status).toBe(200)
    expect((await fromNetwork('/dev/outbox')).status).toBe(404)
    expect((await fromNetwork('/dev/outbox.data')).status).toBe(404)
    expect((await fromNetwork('/DEV/Outbox')).status).toBe(404)
    expect((await fromNetwork('/dev/error')).status).toBe(404)
    expect((await rawRequest({ port, path: '/dev/outbox', headers: host })).status).toBe(200)
  })
})

describe('behind a trusted proxy outside production', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({ env: { TRUST_PROXY: '1' } })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('refuses /dev/* to the client the proxy names when it is not this machine', async () => {
    const forwarded = (address: string) => ({ headers: { 'X-Forwarded-For': address } })
    expect((await fetch(`${portal.url}/dev/outbox`, forwarded('203.0.113.9'))).status).toBe(404)
    expect((await fetch(`${portal.url}/dev/outbox`, forwarded('2001:db8::9'))).status).toBe(404)
    expect((await fetch(`${portal.url}/dev/outbox`, forwarded('127.0.0.1'))).status).toBe(200)
  })

  it('checks the X-Forwarded-Host the proxy passes on as well as Host', async () => {
    const port = portOf(portal.url)
    const host = `localhost:${port}`
    const asked = (forwardedHost: string) =>
      rawRequest({ port, headers: { Host: host, 'X-Forwarded-Host': forwardedHost } })
    expect((await asked(host)).status).toBe(200)
    expect((await asked('evil.example')).status).toBe(421)
  })
})

describe('an imported export turns the outbox off', () => {
  const secrets = testSecrets()
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({ env: secrets })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('serves /dev/outbox on an empty database, and 404 once an export is imported', async () => {
    expect((await fetch(`${portal.url}/dev/outbox`)).status).toBe(200)
    await importExport(portal.databasePath, secrets, EXPORT)
    const response = await fetch(`${portal.url}/dev/outbox`)
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('hanako.safe@example.jp')
  }, 60_000)

  it('says so in one line at start, with how to run in production', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'portal-imported-'))
    const databasePath = join(directory, 'portal.db')
    let restarted: PortalServer | undefined
    try {
      await importExport(databasePath, secrets, EXPORT)
      restarted = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
      const lines = restarted.output().split('\n')
      expect(lines.filter((line) => line.includes('/dev/outbox is off'))).toEqual([
        'This database holds an imported export, so /dev/outbox is off. To serve real people, run with NODE_ENV=production (README, "Configuration").',
      ])
      expect((await fetch(`${restarted.url}/dev/outbox`)).status).toBe(404)
    } finally {
      await restarted?.stop()
      rmSync(directory, { recursive: true, force: true })
    }
  }, 90_000)
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

  it("still listens on every interface and answers PUBLIC_URL's host and loopback names only", async () => {
    const port = portOf(portal.url)
    const fromNetwork = (host: string) =>
      rawRequest({ address: networkAddress(), port, headers: { Host: host } })
    for (const host of ['portal.example', 'PORTAL.example', 'portal.example:443', `localhost:${port}`]) {
      expect((await fromNetwork(host)).status, host).toBe(200)
    }
    for (const host of ['evil.example', 'portal.example:8443', 'portal.example.evil.example']) {
      expect((await fromNetwork(host)).status, host).toBe(421)
    }
  })
})
