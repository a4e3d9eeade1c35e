import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'
import { portOf, rawRequest } from '../support/raw-http'

/**
 * What anyone can send the portal, answered with a 4xx and a clean log:
 * unexpected methods and bodies, `?_data=`, a Location that leaves the site,
 * a form posted from PUBLIC_URL through a proxy that rewrites Host.
 */

const PUBLIC_URL = 'https://portal.example'
// Written into every probe, so that the log can be searched for any of it.
const MARKER = 'probe7f3a'

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: { PUBLIC_URL } })
})

afterAll(async () => {
  await portal?.stop()
})

const SWITCHER_TOKEN = /<input type="hidden" name="csrf-language" value="([^"]*)"/

/** A visitor who has opened a page, so holds the CSRF cookie and the language switcher's token. */
async function visitorWithToken() {
  const visitor = new Visitor(portal.url)
  const page = await visitor.request('/privacy')
  const token = page.body.match(SWITCHER_TOKEN)?.[1]
  if (!token) throw new Error('the page carried no switcher token')
  return Object.assign(visitor, { switcherToken: token })
}

function expectCleanLog() {
  const output = portal.output()
  expect(output).not.toMatch(/^\s+at /m)
  expect(output).not.toContain('[server error]')
  expect(output).not.toContain(MARKER)
}

describe('the language switcher', () => {
  const escapes = [
    '/.//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/./\\evil.example',
    '//evil.example',
    '/\\evil.example',
    `/\t/evil.example`,
  ]

  it.each(escapes)('never sends the reader off the site for %j', async (redirectTo) => {
    const visitor = await visitorWithToken()
    const response = await visitor.request('/language', {
      method: 'POST',
      body: { 'csrf-language': visitor.switcherToken, lng: 'en', redirectTo },
    })
    expect(response.status).toBe(303)
    expect(response.location).toBe('/')
  })

  it('keeps an on-site path, normalised', async () => {
    const visitor = await visitorWithToken()
    const response = await visitor.request('/language', {
      method: 'POST',
      body: { 'csrf-language': visitor.switcherToken, lng: 'en', redirectTo: '/check/../privacy?x=1' },
    })
    expect(response.location).toBe('/privacy?x=1')
  })

  it('carries a form token, and refuses a post without one', async () => {
    const page = await fetch(`${portal.url}/`)
    const html = await page.text()
    const form = html.match(/<form[^>]*action="\/language"[^>]*>([\s\S]*?)<\/form>/)?.[1] ?? ''
    expect(form).toMatch(/<input type="hidden" name="csrf-language" value="[A-Za-z0-9_-]{43}"\/>/)
    const response = await fetch(`${portal.url}/language`, {
      method: 'POST',
      headers: { cookie: (page.headers.get('set-cookie') ?? '').split(';')[0] as string },
      body: new URLSearchParams({ lng: 'en', redirectTo: '/' }),
      redirect: 'manual',
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie') ?? '').not.toMatch(/lng=/)
  })
})

describe('a first visit to a page with a form', () => {
  it('sets one CSRF cookie, whatever seed a client sends, for the page form and the switcher', async () => {
    const seed = 'A'.repeat(43)
    const page = await fetch(`${portal.url}/check/letter`, { headers: { 'X-Portal-Csrf-Seed': seed } })
    const cookies = page.headers.getSetCookie().filter((line) => line.startsWith('portal_csrf='))
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).not.toContain(seed)
    const cookie = (cookies[0] ?? '').split(';')[0] as string
    const html = await page.text()
    const pageToken = html.match(/<input type="hidden" name="csrf" value="([^"]*)"/)?.[1] ?? ''
    const switcherToken = html.match(SWITCHER_TOKEN)?.[1] ?? ''
    const post = (path: string, body: Record<string, string>) =>
      fetch(`${portal.url}${path}`, {
        method: 'POST',
        headers: { cookie },
        body: new URLSearchParams(body),
        redirect: 'manual',
      })
    // Each token is good for its own form, on the cookie set; neither for the other form.
    expect((await post('/language', { 'csrf-language': switcherToken, lng: 'en' })).status).toBe(303)
    expect((await post('/check/letter', { csrf: pageToken, code: 'x' })).status).toBe(422)
    expect((await post('/language', { 'csrf-language': pageToken, lng: 'en' })).status).toBe(403)
    expect((await post('/check/letter', { csrf: switcherToken, code: 'x' })).status).toBe(403)
  })
})

describe('requests no page takes', () => {
  it.each(['TRACE', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405 and Allow', async (method) => {
    const response = await rawRequest({
      port: portOf(portal.url),
      method,
      path: `/signin?${MARKER}`,
      headers: { Host: new URL(portal.url).host },
    })
    expect(response.status).toBe(405)
    expect(response.headers.allow).toBe('GET, HEAD, POST')
    expect(response.body).not.toContain(MARKER)
    expectCleanLog()
  })

  it.each([
    ['text/plain', `csrf=${MARKER}`],
    ['application/json', JSON.stringify({ email: `${MARKER}@example.jp` })],
    ['multipart/form-data', `--x\r\n${MARKER}`],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="${MARKER}"\r\n\r\n1\r\n--x--\r\n`,
    ],
    [undefined, MARKER],
  ])('answers a %s body on a form page with 415', async (type, body) => {
    const headers: Record<string, string> = { Origin: portal.url }
    if (type) headers['Content-Type'] = type
    for (const path of ['/signin', '/check/letter', '/language']) {
      const response = await fetch(`${portal.url}${path}`, { method: 'POST', headers, body })
      expect(response.status, path).toBe(415)
      expect(await response.text()).toContain('Send the request as a form.')
    }
    expectCleanLog()
  })

  it('answers an empty POST without a content type with 415', async () => {
    const response = await rawRequest({
      port: portOf(portal.url),
      method: 'POST',
      path: '/signin',
      headers: { Host: new URL(portal.url).host },
    })
    expect(response.status).toBe(415)
    expectCleanLog()
  })

  it.each([`/?_data=${MARKER}`, '/signin?_data=routes/signin', '/?_data=', '/check?_data=root'])(
    'answers %s with 400',
    async (path) => {
      const response = await fetch(`${portal.url}${path}`)
      expect(response.status).toBe(400)
      expectCleanLog()
    },
  )

  it.each([`/%${MARKER}`, `/build/%${MARKER}`, `/check/%E0%A4%A${MARKER}`])(
    'answers the undecodable path %s with a plain 400, no stack sent or logged',
    async (path) => {
      const response = await fetch(`${portal.url}${path}`)
      expect(response.status).toBe(400)
      const body = await response.text()
      expect(body).toContain('The request could not be read.')
      expect(body).not.toMatch(/URIError| at /)
      expectCleanLog()
    },
  )

  it('still answers the single-fetch data requests of the hydrated app', async () => {
    const response = await fetch(`${portal.url}/check.data`)
    expect(response.status).toBe(200)
    expectCleanLog()
  })
})

describe('a form posted from PUBLIC_URL through a proxy that rewrites Host', () => {
  it("is judged by PUBLIC_URL's origin, not the Host header, and goes through", async () => {
    const visitor = await visitorWithToken()
    // The proxy forwards to localhost:<port>; the browser's Origin is the public address.
    const response = await visitor.request('/language', {
      method: 'POST',
      headers: { Origin: PUBLIC_URL },
      body: { 'csrf-language': visitor.switcherToken, lng: 'en', redirectTo: '/privacy' },
    })
    expect(response.status).toBe(303)
    expect(response.location).toBe('/privacy')
    expectCleanLog()
  })

  it('is not thrown off by an X-Forwarded-Host the portal does not believe', async () => {
    const visitor = await visitorWithToken()
    const response = await visitor.request('/language', {
      method: 'POST',
      headers: { Origin: portal.url, 'X-Forwarded-Host': `${MARKER}.example` },
      body: { 'csrf-language': visitor.switcherToken, lng: 'en', redirectTo: '/privacy' },
    })
    expect(response.status).toBe(303)
    expectCleanLog()
  })

  it('still refuses another origin with 403', async () => {
    const visitor = await visitorWithToken()
    const response = await visitor.request('/language', {
      method: 'POST',
      headers: { Origin: `https://${MARKER}.example` },
      body: { 'csrf-language': visitor.switcherToken, lng: 'en', redirectTo: '/' },
    })
    expect(response.status).toBe(403)
    expectCleanLog()
  })
})
