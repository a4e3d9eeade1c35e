import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertSafeRequest, createCsrfGuard, csrfToken } from '~/session/csrf.server'
import { refuseCrossOriginWrites } from '~/session/origin-guard.server'
import { testSecrets } from '../support/secrets'

const SELF = 'http://localhost:3000'
const PUBLIC_URL = 'https://portal.example/'

const guard = createCsrfGuard({
  secrets: [testSecrets().SESSION_SECRET],
  isProduction: false,
  publicUrl: PUBLIC_URL,
})

/** The `name=value` a browser would send back for a Set-Cookie header. */
const cookieOf = (setCookie: string | undefined) => {
  if (!setCookie) throw new Error('expected a Set-Cookie header')
  return setCookie.split(';')[0] as string
}

function page(cookie?: string) {
  return new Request(`${SELF}/check/email`, { headers: cookie ? { Cookie: cookie } : {} })
}

function post({ cookie, origin, fetchSite }: { cookie?: string; origin?: string; fetchSite?: string }) {
  const headers = new Headers()
  if (cookie) headers.set('Cookie', cookie)
  if (origin) headers.set('Origin', origin)
  if (fetchSite) headers.set('Sec-Fetch-Site', fetchSite)
  return new Request(`${SELF}/check/email`, { method: 'POST', headers })
}

function form(token?: string) {
  const data = new FormData()
  data.set('email', 'someone@example.jp')
  if (token !== undefined) data.set('csrf', token)
  return data
}

/** A visitor who loaded a form: their cookie and the token the form carries. */
function visitor(csrf = guard) {
  const { token, setCookie } = csrf.csrfToken(page())
  return { token, cookie: cookieOf(setCookie) }
}

function refusal(run: () => void): Response | undefined {
  try {
    run()
  } catch (error) {
    if (error instanceof Response) return error
    throw error
  }
  return undefined
}

async function expectForbidden(run: () => void) {
  const response = refusal(run)
  expect(response?.status).toBe(403)
  expect(response?.headers.get('Content-Type')).toMatch(/^text\/plain/)
  expect(await response?.text()).toMatch(/^Forbidden/)
}

/** A form from this site whose token does not fit the cookie: the 403 page that says the form expired. */
async function expectFormExpired(run: () => void) {
  const response = refusal(run)
  expect(response?.status).toBe(403)
  expect(await response?.json()).toMatchObject({ formExpired: { kind: 'reopen', path: '/check/email' } })
}

describe('csrfToken', () => {
  it('sets a random HttpOnly, SameSite=Lax cookie for the whole site, and signs it into the token', () => {
    const { token, setCookie } = guard.csrfToken(page())
    expect(setCookie).toMatch(/^portal_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(token).not.toBe(cookieOf(setCookie).slice('portal_csrf='.length))
  })

  it('keeps the cookie it already set: the same token, no new cookie', () => {
    const { token, cookie } = visitor()
    expect(guard.csrfToken(page(cookie))).toEqual({ token })
  })

  it('gives each visitor their own cookie and token', () => {
    expect(visitor().token).not.toBe(visitor().token)
  })

  it('uses a __Host- Secure cookie in production', () => {
    const production = createCsrfGuard({
      secrets: [testSecrets().SESSION_SECRET],
      isProduction: true,
      publicUrl: PUBLIC_URL,
    })
    const { setCookie, token } = production.csrfToken(page())
    expect(setCookie).toMatch(
      /^__Host-portal_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    )
    expect(production.csrfToken(page(cookieOf(setCookie)))).toEqual({ token })
  })
})

describe('assertSafeRequest', () => {
  it('lets a form with its token through, from this origin or with no Origin at all', () => {
    const { token, cookie } = visitor()
    expect(() => guard.assertSafeRequest(post({ cookie, origin: SELF }), form(token))).not.toThrow()
    expect(() => guard.assertSafeRequest(post({ cookie }), form(token))).not.toThrow()
    expect(() =>
      guard.assertSafeRequest(post({ cookie, fetchSite: 'same-origin' }), form(token)),
    ).not.toThrow()
  })

  it("lets PUBLIC_URL's origin through (the address people use, behind a proxy)", () => {
    const { token, cookie } = visitor()
    expect(() =>
      guard.assertSafeRequest(post({ cookie, origin: 'https://portal.example' }), form(token)),
    ).not.toThrow()
  })

  it('refuses a form without a token, or without the cookie, as an expired form', async () => {
    const { token, cookie } = visitor()
    await expectFormExpired(() => guard.assertSafeRequest(post({ cookie, origin: SELF }), form()))
    await expectFormExpired(() => guard.assertSafeRequest(post({ cookie, origin: SELF }), form('')))
    await expectFormExpired(() => guard.assertSafeRequest(post({ origin: SELF }), form(token)))
  })

  it('gives a form without its cookie a fresh token and the cookie it belongs to', () => {
    const { token } = visitor()
    const check = guard.checkFormToken(post({ origin: SELF }), form(token))
    expect(check.expired).toBe(true)
    if (!check.expired) return
    expect(check.token).not.toBe(token)
    expect(check.setCookie).toMatch(/^portal_csrf=[A-Za-z0-9_-]{43};/)
    const renewed = cookieOf(check.setCookie)
    expect(() =>
      guard.assertSafeRequest(post({ cookie: renewed, origin: SELF }), form(check.token)),
    ).not.toThrow()
  })

  it("refuses a wrong token: garbled, another visitor's, or signed with another secret", async () => {
    const { token, cookie } = visitor()
    const flipped = `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`
    const foreign = createCsrfGuard({
      secrets: [testSecrets().SESSION_SECRET],
      isProduction: false,
      publicUrl: PUBLIC_URL,
    })
    for (const wrong of [flipped, token.slice(1), 'not a token', visitor().token, visitor(foreign).token]) {
      await expectFormExpired(() => guard.assertSafeRequest(post({ cookie, origin: SELF }), form(wrong)))
    }
    const other = visitor()
    await expectFormExpired(() => guard.assertSafeRequest(post({ cookie: other.cookie }), form(token)))
  })

  it('takes a form signed under a secret kept after the new one, and signs new forms under the new one', async () => {
    const [oldSecret, newSecret] = [testSecrets().SESSION_SECRET, testSecrets().SESSION_SECRET]
    const guardWith = (...secrets: [string, ...string[]]) =>
      createCsrfGuard({ secrets, isProduction: false, publicUrl: PUBLIC_URL })
    const before = visitor(guardWith(oldSecret))
    const rotated = guardWith(newSecret, oldSecret)
    expect(() => rotated.assertSafeRequest(post({ cookie: before.cookie }), form(before.token))).not.toThrow()
    // The same cookie's next form is signed under the new secret alone.
    const { token: renewed } = rotated.csrfToken(page(before.cookie))
    expect(renewed).not.toBe(before.token)
    expect(() =>
      guardWith(newSecret).assertSafeRequest(post({ cookie: before.cookie }), form(renewed)),
    ).not.toThrow()
    // Once the old secret is retired, a form signed under it has expired.
    await expectFormExpired(() =>
      guardWith(newSecret).assertSafeRequest(post({ cookie: before.cookie }), form(before.token)),
    )
  })

  it('refuses another origin even with a valid token', async () => {
    const { token, cookie } = visitor()
    for (const origin of [
      'https://evil.example',
      'http://localhost:3001',
      'https://localhost:3000',
      'null',
    ]) {
      await expectForbidden(() => guard.assertSafeRequest(post({ cookie, origin }), form(token)))
    }
  })

  it('refuses a cross-site request that sends no Origin, by its Sec-Fetch-Site', async () => {
    const { token, cookie } = visitor()
    await expectForbidden(() =>
      guard.assertSafeRequest(post({ cookie, fetchSite: 'cross-site' }), form(token)),
    )
  })
})

describe('the request-bound functions', () => {
  it('use the configured secret and PUBLIC_URL', async () => {
    const { token, setCookie } = await csrfToken(page())
    const cookie = cookieOf(setCookie)
    await expect(assertSafeRequest(post({ cookie, origin: SELF }), form(token))).resolves.toBeUndefined()
    const refused = await assertSafeRequest(post({ cookie, origin: SELF }), form()).catch((error) => error)
    expect(refused).toBeInstanceOf(Response)
    expect((refused as Response).status).toBe(403)
  })
})

describe('refuseCrossOriginWrites, in front of Remix', () => {
  let server: ReturnType<ReturnType<typeof express>['listen']>
  let base: string

  beforeAll(async () => {
    const app = express()
    app.use(refuseCrossOriginWrites({ publicUrl: PUBLIC_URL }))
    app.all('/action', (_req, res) => {
      res.send('ran')
    })
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const send = (method: string, headers: Record<string, string>) =>
    fetch(`${base}/action`, { method, headers, body: method === 'GET' ? undefined : 'x=1' })

  it('answers a POST from another origin, or a cross-site one without Origin, with a plain bilingual 403', async () => {
    const refused: Record<string, string>[] = [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ]
    for (const headers of refused) {
      const response = await send('POST', headers)
      expect(response.status).toBe(403)
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
      // Before Remix no page's language is known: Japanese and English, as the HTTP layer's other refusals.
      expect(await response.text()).toBe(
        '他のサイトからは送信できません。 / This form cannot be sent from another site.',
      )
    }
  })

  it('lets through this origin, PUBLIC_URL, no Origin, and every GET', async () => {
    for (const [method, headers] of [
      ['POST', { Origin: base }],
      ['POST', { Origin: 'https://portal.example' }],
      ['POST', {}],
      ['POST', { 'Sec-Fetch-Site': 'same-origin' }],
      // A form on a no-referrer page: Origin is serialised as null, Fetch Metadata vouches for it.
      ['POST', { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }],
      ['GET', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ] as const) {
      const response = await send(method, headers)
      expect(await response.text()).toBe('ran')
    }
  })
})
