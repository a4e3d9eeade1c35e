import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalServer, startPortal } from '../support/portal-server'

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal()
})

afterAll(async () => {
  await portal?.stop()
})

const PAGES = ['/', '/?lng=en', '/privacy', '/check', '/no-such-page']

function cspDirectives(response: Response) {
  const header = response.headers.get('content-security-policy') ?? ''
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name as string, values]),
  )
}

describe('safe headers on every response', () => {
  it.each(PAGES)('%s carries the CSP, nosniff, referrer policy and no X-Powered-By', async (path) => {
    const response = await fetch(`${portal.url}${path}`)
    const csp = cspDirectives(response)
    expect(csp.get('script-src')).toEqual(expect.arrayContaining(["'strict-dynamic'"]))
    expect(csp.get('script-src')?.join(' ')).not.toMatch(/unsafe-inline|unsafe-eval/)
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp.get('form-action')).toEqual(["'self'"])
    expect(csp.get('base-uri')).toEqual(["'none'"])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    expect(response.headers.get('x-powered-by')).toBeNull()
    expect(response.headers.get('strict-transport-security')).toBeNull()
  })

  it('uses a fresh nonce per response, and every inline script carries it', async () => {
    const nonces = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${portal.url}/`)
      const nonce = cspDirectives(response)
        .get('script-src')
        ?.find((value) => value.startsWith("'nonce-"))
        ?.slice("'nonce-".length, -1)
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/)
      const html = await response.text()
      const scriptTags = html.match(/<script\b[^>]*>/g) ?? []
      expect(scriptTags.length).toBeGreaterThan(0)
      for (const tag of scriptTags) expect(tag).toContain(`nonce="${nonce}"`)
      nonces.add(nonce as string)
    }
    expect(nonces.size).toBe(3)
  })

  it('never lets a page be cached, but caches fingerprinted assets for a year', async () => {
    const page = await fetch(`${portal.url}/`)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const html = await page.text()
    const asset = html.match(/href="(\/build\/[^"]+\.css)"/)?.[1]
    expect(asset).toBeDefined()
    const assetResponse = await fetch(`${portal.url}${asset}`)
    expect(assetResponse.status).toBe(200)
    expect(assetResponse.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  })

  it('refuses an oversized body with 413 before reading it', async () => {
    const response = await fetch(`${portal.url}/language`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `lng=en&redirectTo=${'a'.repeat(100_000)}`,
    })
    expect(response.status).toBe(413)
    expect(await response.text()).toContain('大きすぎます')
  })

  it('answers the health check', async () => {
    const response = await fetch(`${portal.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
  })
})
