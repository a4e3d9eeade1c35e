import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fields, Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * One request must not stall the server. A field as long as the body limit
 * allows, shaped to make a backtracking pattern go quadratic, is refused with
 * the field's own message (422) as fast as a short mistyped one, and the
 * server keeps answering others while several such requests are in flight.
 */

// 60,003 characters: within the 64 KiB body limit once form-encoded.
const ATTACK = `a@${'x.'.repeat(30_000)}@`

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))

/** Each form that reads an e-mail address, its attack body, a short invalid body, and the message either gets. */
const FORMS = [
  {
    path: '/check/email',
    attack: { email: ATTACK },
    mistyped: { email: 'not-an-address' },
    message: (language: 'ja' | 'en') => locale(language, 'check').email.errors.invalid as string,
  },
  {
    path: '/signin',
    attack: { email: ATTACK, password: 'whatever it is' },
    // With an @ it must be an address (without one it would be read as a member ID).
    mistyped: { email: 'not-an-address@', password: 'whatever it is' },
    message: (language: 'ja' | 'en') => locale(language, 'account').signin.errors.invalid as string,
  },
  {
    path: '/message-check',
    attack: { reference: 'R-00000-00000', address: ATTACK },
    mistyped: { reference: 'R-00000-00000', address: 'not-an-address' },
    message: (language: 'ja' | 'en') => locale(language, 'messageCheck').errors.addressInvalid as string,
  },
] as const

/** React's escaping of text, so a message can be found in the page as sent. */
const asHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&#x27;')

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

let portal: PortalServer

beforeAll(async () => {
  // Limits high enough that this file's own posts are never refused for their number.
  portal = await startPortal({ env: { IP_CHECK_LIMIT: '100000', IP_FAILURE_LIMIT: '100000' } })
})

afterAll(async () => {
  await portal?.stop()
})

/** A visitor holding the form's CSRF cookie and token, in `language`. */
async function visitorAt(path: string, language: 'ja' | 'en') {
  const visitor = new Visitor(portal.url)
  const page = await visitor.get(`${path}?lng=${language}`)
  expect(page.status).toBe(200)
  expect(visitor.csrf).toBeDefined()
  return visitor
}

const post = (visitor: Visitor, path: string, fields: Fields) =>
  visitor.post(path, { csrf: visitor.csrf ?? '', ...fields })

describe.each(FORMS)('$path with an over-long, adversarial e-mail address', (form) => {
  it.each(['ja', 'en'] as const)('is refused with the field’s message in %s (422)', async (language) => {
    const visitor = await visitorAt(form.path, language)
    const page = await post(visitor, form.path, form.attack)
    expect(page.status).toBe(422)
    expect(page.body).toContain(asHtml(form.message(language)))
    // Nothing of the attack is thrown back whole.
    expect(page.body).not.toContain(ATTACK)
  })

  it('is answered as fast as a short mistyped address', async () => {
    const visitor = await visitorAt(form.path, 'ja')
    const attack: number[] = []
    const mistyped: number[] = []
    // Interleaved, so a busy moment of the machine weighs on both alike.
    for (let i = 0; i < 5; i++) {
      const short = await post(visitor, form.path, form.mistyped)
      expect(short.status).toBe(422)
      mistyped.push(short.ms)
      const long = await post(visitor, form.path, form.attack)
      expect(long.status).toBe(422)
      attack.push(long.ms)
    }
    // The quadratic pattern took seconds a request; reading 60 KB of form takes a few ms.
    expect(median(attack) - median(mistyped)).toBeLessThan(500)
  })
})

describe('the server while four adversarial requests are in flight', () => {
  it('still answers /healthz promptly', { timeout: 120_000 }, async () => {
    const healthz = async () => {
      const started = performance.now()
      const response = await fetch(`${portal.url}/healthz`)
      await response.text()
      expect(response.status).toBe(200)
      return performance.now() - started
    }
    const quiet: number[] = []
    for (let i = 0; i < 5; i++) quiet.push(await healthz())
    const visitors = await Promise.all(FORMS.map((form) => visitorAt(form.path, 'ja')))
    const underAttack: number[] = []
    for (let round = 0; round < 3; round++) {
      const attacks = [0, 1, 2, 3].map((i) => {
        const form = FORMS[i % FORMS.length] as (typeof FORMS)[number]
        return post(visitors[i % FORMS.length] as Visitor, form.path, form.attack)
      })
      // Let the attacks reach the server first.
      await new Promise((resolve) => setTimeout(resolve, 50))
      underAttack.push(await healthz())
      for (const page of await Promise.all(attacks)) expect(page.status).toBe(422)
    }
    // Before the fix, /healthz waited for the four patterns to finish: many seconds.
    expect(median(underAttack) - median(quiet)).toBeLessThan(1000)
  })
})
