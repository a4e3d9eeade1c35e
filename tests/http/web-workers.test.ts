import { execFileSync } from 'node:child_process'
import { get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: { WEB_WORKERS: '2' } })
})

afterAll(async () => {
  await portal?.stop()
})

/** The process IDs of the web workers: the primary's children. */
function workerPids(): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(portal.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0)
  } catch {
    // ps exits 1 when the process has no children.
    return []
  }
}

/**
 * A GET over a connection of its own, closed after the answer: a pooled
 * keep-alive connection may belong to the worker a test has just killed.
 */
function freshGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { Connection: 'close' } }, (response) => {
      response.resume()
      response.once('end', () => resolve(response.statusCode ?? 0))
    }).once('error', reject)
  })
}

async function eventually<T>(read: () => T, accept: (value: T) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  let value = read()
  while (!accept(value) && Date.now() < deadline) {
    await sleep(100)
    value = read()
  }
  return value
}

describe('WEB_WORKERS=2', () => {
  it('runs two web workers on one port and says where once', async () => {
    expect(workerPids()).toHaveLength(2)
    expect(portal.output().match(/listening on/g)).toHaveLength(1)
    const statuses = await Promise.all(Array.from({ length: 40 }, () => freshGet(`${portal.url}/privacy`)))
    expect(statuses).toEqual(Array(40).fill(200))
  })

  it('keeps a visitor in the same journey whichever worker answers', async () => {
    const visitor = new Visitor(portal.url)
    const sent = await visitor.submit('/check/email', { email: 'someone@example.invalid' })
    expect(sent.status).toBe(303)
    expect(sent.location).toBe('/check/email/code')
    // Over separate connections, so both workers answer some of them.
    const pages = await Promise.all(Array.from({ length: 20 }, () => visitor.get('/check/email/code')))
    expect(pages.map((page) => page.status)).toEqual(Array(20).fill(200))
    const entered = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code: '000000' })
    expect(entered.status).toBe(422)
  })

  it('replaces a worker that dies, and the site keeps answering', async () => {
    const [victim] = workerPids()
    process.kill(victim as number, 'SIGKILL')
    const pids = await eventually(workerPids, (now) => now.length === 2 && !now.includes(victim as number))
    expect(pids).toHaveLength(2)
    expect(pids).not.toContain(victim)
    expect(await freshGet(`${portal.url}/privacy`)).toBe(200)
  })

  it('stops every worker on SIGTERM', async () => {
    const pids = workerPids()
    await portal.stop()
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    expect(alive).toEqual([])
    await expect(freshGet(`${portal.url}/privacy`)).rejects.toThrow()
  })
})
