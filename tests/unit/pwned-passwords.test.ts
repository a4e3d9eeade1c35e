import { createHash } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { isPwnedPassword } from '~/accounts/pwned-passwords.server'

const PASSWORD = 'correct horse battery staple'
const DIGEST = createHash('sha1').update(PASSWORD).digest('hex').toUpperCase()
const PREFIX = DIGEST.slice(0, 5)
const SUFFIX = DIGEST.slice(5)
const OTHER_SUFFIX = '0018A45C4D1DEF81644B54AB7F969B88D65'

type Seen = { url: string | undefined; headers: IncomingHttpHeaders }

// A stand-in for api.pwnedpasswords.com whose answer each test sets.
let respond: (response: ServerResponse) => void = (response) => response.end()
let seen: Seen[] = []
let server: Server
let baseUrl = ''

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers })
    respond(response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

beforeEach(() => {
  seen = []
})

const answer = (body: string) => (response: ServerResponse) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end(body)
}

describe('Pwned Passwords', () => {
  it('sends only the first 5 hex characters of the SHA-1, asking for padding', async () => {
    respond = answer(`${OTHER_SUFFIX}:3\r\n${SUFFIX}:2154\r\n`)
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl })).toBe(true)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.url).toBe(`/range/${PREFIX}`)
    expect(seen[0]?.url).toMatch(/^\/range\/[0-9A-F]{5}$/)
    expect(seen[0]?.headers['add-padding']).toBe('true')
    expect(JSON.stringify(seen[0]?.headers)).not.toContain(SUFFIX)
  })

  it('says no when the suffix is not listed', async () => {
    respond = answer(`${OTHER_SUFFIX}:3\r\n`)
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl })).toBe(false)
  })

  it('ignores padding entries, whose count is 0', async () => {
    respond = answer(`${OTHER_SUFFIX}:3\r\n${SUFFIX}:0\r\n`)
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl })).toBe(false)
  })

  it('accepts a base URL with a trailing slash', async () => {
    respond = answer(`${SUFFIX}:1`)
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl: `${baseUrl}/` })).toBe(true)
    expect(seen[0]?.url).toBe(`/range/${PREFIX}`)
  })

  it('does not know when the service answers other than 200', async () => {
    respond = (response) => {
      response.writeHead(503)
      response.end(`${SUFFIX}:1`)
    }
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl })).toBe('unknown')
  })

  it('does not know, soon, when the service never answers', async () => {
    respond = () => {}
    const started = Date.now()
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl, timeoutMs: 300 })).toBe('unknown')
    expect(Date.now() - started).toBeLessThan(2_500)
  })

  it('does not know, soon, when the answer stalls after its headers', async () => {
    respond = (response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' })
      response.write(`${OTHER_SUFFIX}:3\r\n`)
    }
    const started = Date.now()
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl, timeoutMs: 300 })).toBe('unknown')
    expect(Date.now() - started).toBeLessThan(2_500)
  })

  it('does not know when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    expect(await isPwnedPassword({ password: PASSWORD, baseUrl: `http://127.0.0.1:${port}` })).toBe('unknown')
  })
})
