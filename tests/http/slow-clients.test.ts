import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalServer, startPortal } from '../support/portal-server'
import { portOf } from '../support/raw-http'
import { eventually, openSlowClient, postHead, type SlowClient } from '../support/slow-client'

/**
 * Clients that are slow, idle or gone: none of them can keep the portal from
 * serving everyone else, and one that leaves mid-request leaves nothing behind.
 */

let portal: PortalServer
let port: number

beforeAll(async () => {
  portal = await startPortal({ env: { MAX_CONNECTIONS: '1500' } })
  port = portOf(portal.url)
})

afterAll(async () => {
  await portal?.stop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function timedPage() {
  const started = performance.now()
  const response = await fetch(`${portal.url}/`)
  await response.arrayBuffer()
  return { status: response.status, ms: performance.now() - started }
}

describe('a slowloris', () => {
  it('holding 1,000 connections, a header byte every 10 s, neither stops others being served nor outstays the headers timeout', async () => {
    const before: number[] = []
    for (let i = 0; i < 10; i++) before.push((await timedPage()).ms)

    const slow: SlowClient[] = []
    for (let i = 0; i < 1_000; i++) {
      slow.push(await openSlowClient(port, `GET / HTTP/1.1\r\nHost: localhost:${port}\r\nX-Drip: `))
    }
    const opened = Date.now()
    const drip = setInterval(() => {
      for (const client of slow) if (!client.socket.destroyed) client.send('a')
    }, 10_000)

    // Everyone else is served while the 1,000 hang on; a page every 300 ms for 9 s.
    const during: { status: number; ms: number }[] = []
    while (Date.now() - opened < 9_000) {
      during.push(await timedPage())
      await sleep(300)
    }
    expect(during.every((page) => page.status === 200)).toBe(true)
    const slowest = Math.max(...during.map((page) => page.ms))
    // A page normally takes tens of milliseconds; a process that stopped serving would take seconds.
    expect(slowest).toBeLessThan(Math.max(1_500, 10 * Math.max(...before)))

    // 10 s for the headers, and the check that enforces it runs every second: all are gone by 16 s.
    const closed = await Promise.race([
      Promise.all(slow.map((client) => client.closed)),
      sleep(16_000 - (Date.now() - opened)).then(() => undefined),
    ])
    clearInterval(drip)
    for (const client of slow) client.socket.destroy()
    expect(closed).toBeDefined()
    const timedOut = (closed ?? []).filter((text) => text.startsWith('HTTP/1.1 408')).length
    expect(timedOut).toBeGreaterThan(900)
    expect((await timedPage()).status).toBe(200)
  }, 60_000)
})

describe('connections', () => {
  it('past MAX_CONNECTIONS are closed on arrival, and the portal serves again once they go', async () => {
    const idle: SlowClient[] = []
    for (let i = 0; i < 1_600; i++) idle.push(await openSlowClient(port, ''))
    await eventually(() => idle.filter((client) => client.socket.destroyed).length >= 100, 5_000)
    const refused = idle.filter((client) => client.socket.destroyed).length
    expect(refused).toBeLessThanOrEqual(101)
    for (const client of idle) client.socket.destroy()
    await eventually(async () => (await timedPage().catch(() => ({ status: 0 }))).status === 200, 5_000)
  })

  it('kept alive are closed after 5 idle seconds and carry at most 1,000 requests', async () => {
    const client = await openSlowClient(port, `GET /healthz HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`)
    await eventually(() => client.received().includes('\r\n\r\n'), 5_000)
    const answered = Date.now()
    expect(client.received()).toMatch(/\r\nKeep-Alive: timeout=5, max=1000\r\n/i)
    await client.closed
    const idleFor = Date.now() - answered
    expect(idleFor).toBeGreaterThan(4_000)
    expect(idleFor).toBeLessThan(8_000)
  })
})

describe('a client that leaves in the middle of an upload', () => {
  it('leaves no spooled photo and no draft', async () => {
    const boundary = '----portal-test-boundary'
    const head = postHead({
      port,
      path: '/returns/new',
      length: 1_000_000,
      contentType: `multipart/form-data; boundary=${boundary}`,
    })
    const part = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="photos"; filename="box.jpg"',
      'Content-Type: image/jpeg',
      '',
      '',
    ].join('\r\n')
    const client = await openSlowClient(port, head + part)
    client.send(Buffer.alloc(200_000, 0xab))
    const spool = join(portal.dataDirectory, 'upload-spool')
    const spooled = () => {
      try {
        return readdirSync(spool).filter((name) => name.endsWith('.spool'))
      } catch {
        return []
      }
    }
    // Mid-request: the photo's first bytes are in the spool.
    await eventually(() => spooled().length === 1, 5_000)
    client.socket.destroy()
    await eventually(() => spooled().length === 0, 5_000)

    const db = new Database(portal.databasePath, { readonly: true })
    try {
      const count = (table: string) =>
        (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
      expect(count('return_drafts')).toBe(0)
      expect(count('return_photos')).toBe(0)
      expect(count('return_requests')).toBe(0)
    } finally {
      db.close()
    }
    expect(portal.output()).not.toContain('[server error]')
  })
})
