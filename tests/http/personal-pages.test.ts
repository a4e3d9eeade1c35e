import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * Pages that hold personal data: one Referrer-Policy, no compression (BREACH),
 * and per-IP limits that a client with a whole IPv6 /48 cannot dodge by
 * taking a fresh /64 for every try.
 */

const CHECK_LIMIT = 2
// Ten times the per-address limit per /48.
const BLOCK_LIMIT = CHECK_LIMIT * 10

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: { TRUST_PROXY: '1', IP_CHECK_LIMIT: String(CHECK_LIMIT) } })
})

afterAll(async () => {
  await portal?.stop()
})

describe('headers of personal pages', () => {
  it('sends one Referrer-Policy: the page’s own on personal pages, the site’s elsewhere', async () => {
    for (const [path, policy] of [
      ['/check/letter', 'no-referrer'],
      ['/signin', 'no-referrer'],
      ['/', 'strict-origin-when-cross-origin'],
    ]) {
      const response = await fetch(`${portal.url}${path}`)
      expect(response.status, path).toBe(200)
      // fetch joins repeated headers with ", ".
      expect(response.headers.get('referrer-policy'), path).toBe(policy)
    }
  })

  it('does not compress a personal page that echoes the query, but does the incident page', async () => {
    const gzip = { 'Accept-Encoding': 'gzip' }
    const personal = await fetch(`${portal.url}/check/letter?email=a%40example.jp`, { headers: gzip })
    expect(personal.status).toBe(200)
    expect(personal.headers.get('content-encoding')).toBeNull()
    const signin = await fetch(`${portal.url}/signin?redirectTo=%2Faccount`, { headers: gzip })
    expect(signin.headers.get('content-encoding')).toBeNull()
    const incident = await fetch(`${portal.url}/`, { headers: gzip })
    expect(incident.headers.get('content-encoding')).toBe('gzip')
  })
})

describe('personal pages without a session', () => {
  const common = (language: 'ja' | 'en') =>
    JSON.parse(readFileSync(new URL(`../../locales/${language}/common.json`, import.meta.url), 'utf8'))

  it('explain, with 403 and not a redirect, that the visitor must check who they are, in ja and en', async () => {
    for (const language of ['ja', 'en'] as const) {
      const words = common(language).sessionEnded
      for (const path of [
        '/exposure',
        '/account',
        '/account/details',
        '/account/password',
        '/account/email',
      ]) {
        const response = await fetch(`${portal.url}${path}?lng=${language}`, { redirect: 'manual' })
        expect(response.status, path).toBe(403)
        expect(response.headers.get('location'), path).toBeNull()
        const html = await response.text()
        expect(html, path).toContain(words.notYet.title)
        expect(html, path).toContain(words.ways.any)
        expect(html, path).toContain('href="/check"')
        expect(html, path).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
      }
    }
  })
})

describe('per-IP limits for IPv6 clients', () => {
  /** One letter-check post from `ip`, as the trusted proxy names it. */
  async function postFrom(ip: string) {
    const visitor = new Visitor(portal.url, { 'X-Forwarded-For': ip })
    return visitor.submit('/check/letter', { code: 'AAAA-AAAA-AAAA-A' })
  }

  it('counts every /64 of one /48 together, at ten times the per-address limit', async () => {
    const statuses: number[] = []
    for (let subnet = 0; subnet <= BLOCK_LIMIT; subnet++) {
      statuses.push((await postFrom(`2001:db8:48:${subnet.toString(16)}::1`)).status)
    }
    // Each /64 posts once, under its own limit of two; the /48 has had its twenty.
    expect(statuses.slice(0, BLOCK_LIMIT)).not.toContain(429)
    expect(statuses.at(-1)).toBe(429)
    // Another /48 is not held back.
    expect((await postFrom('2001:db8:49::1')).status).not.toBe(429)
  }, 60_000)
})
