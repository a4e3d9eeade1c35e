import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'
import { PRODUCTION_MAIL } from '../support/secrets'

const STACK_TRACE = /at .+\(?.+\.[jt]sx?:\d+:\d+\)?/

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const COMMON = { ja: locale('ja', 'common'), en: locale('en', 'common') }
const LANGUAGES = ['ja', 'en'] as const

/** Whom to ask and what to have ready: on every page that stops a person (app/ui/support-contact.tsx). */
function expectSupport(body: string, language: 'ja' | 'en', where: string) {
  expect(body, where).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
  expect(body, where).toContain(COMMON[language].support.haveReady)
  for (const item of Object.values(COMMON[language].support.items) as string[])
    expect(body, where).toContain(item)
}

describe('error pages', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal()
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('gives an unknown path a localised 404 page', async () => {
    const ja = await fetch(`${portal.url}/no/such/page`)
    expect(ja.status).toBe(404)
    expect(await ja.text()).toContain('ページが見つかりません')
    const en = await fetch(`${portal.url}/no/such/page?lng=en`)
    expect(en.status).toBe(404)
    const html = await en.text()
    expect(html).toContain('Page not found')
    expect(html).toContain('<title>Page not found')
  })

  it('gives a thrown error a localised 500 page without its message or stack', async () => {
    const response = await fetch(`${portal.url}/dev/error?lng=en`)
    expect(response.status).toBe(500)
    const html = await response.text()
    expect(html).toContain('Something went wrong')
    expect(html).not.toContain('Deliberate failure')
    expect(html).not.toMatch(STACK_TRACE)
  })

  it('names the support desk and what to have ready on the 404 and 500 pages, in ja and en', async () => {
    for (const language of LANGUAGES) {
      for (const [path, status] of [
        ['/no/such/page', 404],
        ['/dev/error', 500],
      ] as const) {
        const response = await fetch(`${portal.url}${path}?lng=${language}`)
        expect(response.status, path).toBe(status)
        expectSupport(await response.text(), language, `${path} ${language}`)
      }
    }
  })

  it('names the support desk and what to have ready on every check page, in ja and en', async () => {
    for (const language of LANGUAGES) {
      for (const path of ['/check', '/check/email', '/check/letter', '/signin']) {
        const response = await fetch(`${portal.url}${path}?lng=${language}`)
        expect(response.status, path).toBe(200)
        expectSupport(await response.text(), language, `${path} ${language}`)
      }
      const visitor = new Visitor(portal.url, { 'Accept-Language': language })
      const asked = await visitor.submit('/check/email', { email: 'nobody@example.jp' })
      expect(asked.location).toBe('/check/email/code')
      const code = await visitor.get('/check/email/code')
      expect(code.status).toBe(200)
      expectSupport(code.body, language, `/check/email/code ${language}`)
    }
  })

  it('links the incident page to "is this message really from us?"', async () => {
    for (const language of LANGUAGES) {
      const html = await (await fetch(`${portal.url}/?lng=${language}`)).text()
      const cta = html.match(/<p class="incident-cta[^"]*">([\s\S]*?)<\/p>/)?.[1] ?? ''
      expect(cta, language).toContain('href="/message-check"')
      expect(cta, language).toContain('href="/check"')
    }
  })
})

describe('the 429 page', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({ env: { TRUST_PROXY: '1', IP_CHECK_LIMIT: '1' } })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('names the support desk and what to have ready, in ja and en', async () => {
    for (const language of LANGUAGES) {
      // The limit counts per address: each language from an address of its own.
      const visitor = new Visitor(portal.url, {
        'Accept-Language': language,
        'X-Forwarded-For': language === 'ja' ? '192.0.2.1' : '192.0.2.2',
      })
      let page = await visitor.submit('/check/letter', { code: 'AAAA-AAAA-AAAA-A', proof: '1980-01-01' })
      for (let i = 0; i < 3 && page.status !== 429; i++) {
        page = await visitor.submit('/check/letter', { code: 'AAAA-AAAA-AAAA-A', proof: '1980-01-01' })
      }
      expect(page.status).toBe(429)
      const notice = page.body.match(/<p class="callout rate-limited"[^>]*>([\s\S]*?)<\/p>/)?.[1] ?? ''
      expect(notice).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
      expectSupport(page.body, language, `429 ${language}`)
    }
  })
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

  it('sends HSTS and hides the development pages', async () => {
    const home = await fetch(`${portal.url}/`)
    expect(home.headers.get('strict-transport-security')).toMatch(/max-age=\d{8}/)
    const devError = await fetch(`${portal.url}/dev/error`)
    expect(devError.status).toBe(404)
  })
})
