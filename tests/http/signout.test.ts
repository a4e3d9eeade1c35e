import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { createCsrfGuard } from '~/session/csrf.server'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

const signedOut = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/check.json`, import.meta.url), 'utf8')).signedOut

const secrets = testSecrets()
let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: secrets })
})

afterAll(async () => {
  await portal?.stop()
})

/** A CSRF cookie and the token the server would have put in the form, made with the server's secret. */
function csrfPair() {
  const guard = createCsrfGuard({
    secrets: [secrets.SESSION_SECRET],
    isProduction: false,
    publicUrl: portal.url,
  })
  const { token, setCookie } = guard.csrfToken(new Request(`${portal.url}/`))
  return { token, cookie: setCookie?.split(';')[0] ?? '' }
}

function signOut({
  origin,
  fetchSite,
  cookie,
  token,
}: {
  origin?: string
  fetchSite?: string
  cookie?: string
  token?: string
}) {
  const headers: Record<string, string> = {}
  if (origin) headers.Origin = origin
  if (fetchSite) headers['Sec-Fetch-Site'] = fetchSite
  if (cookie) headers.Cookie = cookie
  return fetch(`${portal.url}/signout`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(token === undefined ? {} : { csrf: token }),
    redirect: 'manual',
  })
}

describe('/signout', () => {
  it('sends a plain GET home without doing anything', async () => {
    const response = await fetch(`${portal.url}/signout`, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/')
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('refuses a POST without the form token', async () => {
    const { cookie } = csrfPair()
    const response = await signOut({ origin: portal.url, cookie })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('refuses a POST from another origin, even with a valid token', async () => {
    // Same host, other scheme (a page on plain HTTP, say): only our Origin check tells them apart.
    const response = await signOut({ origin: portal.url.replace(/^http:/, 'https:'), ...csrfPair() })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('refuses a cross-site POST that sends no Origin, by its Sec-Fetch-Site', async () => {
    const response = await signOut({ fetchSite: 'cross-site', ...csrfPair() })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('refuses a POST from another host before any action runs', async () => {
    const response = await signOut({ origin: 'https://evil.example', ...csrfPair() })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('signs out a same-origin POST with its token: the signed-out page, the session cookie cleared', async () => {
    const response = await signOut({ origin: portal.url, ...csrfPair() })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/signout/done')
    expect(response.headers.get('set-cookie')).toMatch(
      /^portal_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/,
    )
  })

  it.each(['ja', 'en'] as const)(
    'says in %s that the visitor signed out, what happens next, and the ways back',
    async (language) => {
      const texts = signedOut(language)
      const response = await fetch(`${portal.url}/signout/done?lng=${language}`)
      expect(response.status).toBe(200)
      const body = await response.text()
      expect(body).toContain(texts.heading)
      expect(body).toContain(texts.next)
      expect(body).toContain('href="/check"')
      expect(body).toContain('href="/signin"')
      expect(body).toContain('href="/"')
      expect(body).toContain(SUPPORT_EMAIL)
      expect(body).toContain(`<title>${texts.meta.title}`)
    },
  )
})
