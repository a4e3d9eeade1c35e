import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalServer, startPortal } from '../support/portal-server'

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal()
})

afterAll(async () => {
  await portal?.stop()
})

const firstCookie = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] as string

const htmlLang = (html: string) => html.match(/<html lang="([^"]+)"/)?.[1]

async function langOf(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${portal.url}${path}`, { headers })
  return { response, lang: htmlLang(await response.text()) }
}

describe('choosing the language', () => {
  it('defaults to Japanese', async () => {
    expect((await langOf('/')).lang).toBe('ja')
  })

  it('follows Accept-Language when nothing else says', async () => {
    expect((await langOf('/', { 'accept-language': 'en-US,en;q=0.9' })).lang).toBe('en')
    expect((await langOf('/', { 'accept-language': 'fr-FR' })).lang).toBe('ja')
  })

  it('keeps a ?lng= choice in a cookie for the next pages', async () => {
    const { response, lang } = await langOf('/?lng=en')
    expect(lang).toBe('en')
    const cookie = firstCookie(response)
    expect(cookie).toMatch(/^lng=/)
    expect((await langOf('/privacy', { cookie })).lang).toBe('en')
  })

  it('lets the cookie beat Accept-Language, and ?lng= beat the cookie', async () => {
    const cookie = firstCookie((await langOf('/?lng=en')).response)
    expect((await langOf('/', { cookie, 'accept-language': 'ja' })).lang).toBe('en')
    expect((await langOf('/?lng=ja', { cookie })).lang).toBe('ja')
  })

  it('ignores an unsupported ?lng=', async () => {
    const { response, lang } = await langOf('/?lng=xx')
    expect(lang).toBe('ja')
    // Only the form token's cookie (the language switcher is a form), no language cookie.
    expect(response.headers.get('set-cookie') ?? '').not.toMatch(/(^|, )lng=/)
  })
})

describe('the language switcher form', () => {
  // As the switcher in the page's header posts it: with the page's form token and CSRF cookie.
  const post = async (body: Record<string, string>) => {
    const page = await fetch(`${portal.url}/privacy`)
    const csrf =
      (await page.text()).match(/<input type="hidden" name="csrf-language" value="([^"]*)"/)?.[1] ?? ''
    return fetch(`${portal.url}/language`, {
      method: 'POST',
      headers: { cookie: firstCookie(page) },
      body: new URLSearchParams({ 'csrf-language': csrf, ...body }),
      redirect: 'manual',
    })
  }

  it('sets the cookie and returns to the page the reader was on', async () => {
    const response = await post({ lng: 'en', redirectTo: '/privacy' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/privacy')
    const cookie = response.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^lng=/)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    const next = await langOf('/privacy', { cookie: firstCookie(response) })
    expect(next.lang).toBe('en')
  })

  it('never redirects off the site', async () => {
    for (const redirectTo of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const response = await post({ lng: 'en', redirectTo })
      expect(response.headers.get('location')).toBe('/')
    }
  })

  it('answers a tampered language with a localised 400 page', async () => {
    const response = await post({ lng: 'xx', redirectTo: '/' })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('リクエストを処理できません')
    expect(html).not.toMatch(/at .+\.js:\d+/)
  })
})

describe('translations', () => {
  it('serves a namespace to the browser and nothing else', async () => {
    const ok = await fetch(`${portal.url}/locales/en/common.json?v=1`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('cache-control')).toContain('immutable')
    expect((await ok.json()).layout.languageName.en).toBe('English')
    for (const path of [
      '/locales/xx/common.json',
      '/locales/en/nope.json',
      '/locales/en/..%2Fpackage.json',
    ]) {
      expect((await fetch(`${portal.url}${path}`)).status).toBe(404)
    }
  })

  it('sends Japanese pages as clean UTF-8, without the NUL padding of streamed rendering', async () => {
    const bytes = Buffer.from(await (await fetch(`${portal.url}/`)).arrayBuffer())
    expect(bytes.includes(0)).toBe(false)
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toContain('<html lang="ja"')
  })

  it('renders every page in both languages without a missing key', async () => {
    for (const path of ['/', '/privacy', '/check', '/no-such-page']) {
      for (const lng of ['ja', 'en']) {
        const response = await fetch(`${portal.url}${path}?lng=${lng}`)
        const html = await response.text()
        expect(htmlLang(html)).toBe(lng)
        expect(html).toMatch(/<title>[^<]+<\/title>/)
      }
    }
    expect(portal.output()).not.toContain('missing translation')
  })
})
