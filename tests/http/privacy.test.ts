import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RETURN_DRAFT_COOKIE } from '~/returns/return-draft.server'
import { CSRF_COOKIE } from '~/session/csrf.server'
import { SESSION_COOKIE } from '~/session/session.server'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/** /privacy says what the portal really does and keeps, over real HTTP against the built server. */

const privacy = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/privacy.json`, import.meta.url), 'utf8'))

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: testSecrets() })
})

afterAll(async () => {
  await portal?.stop()
})

describe('/privacy', () => {
  it.each(['ja', 'en'] as const)(
    'names in %s every cookie the portal sets, and what each is for',
    async (language) => {
      const html = await (await fetch(`${portal.url}/privacy?lng=${language}`)).text()
      const texts = privacy(language)
      // The names the code sets, not names copied into the page by hand.
      for (const name of [SESSION_COOKIE, CSRF_COOKIE, 'lng', RETURN_DRAFT_COOKIE])
        expect(html).toContain(`<code>${name}</code>`)
      for (const cookie of ['session', 'csrf', 'language', 'returnDraft']) {
        expect(html).toContain(texts.cookies.list[cookie].purpose)
        expect(html).toContain(texts.cookies.list[cookie].lifetime)
      }
    },
  )

  it.each(['ja', 'en'] as const)(
    'says in %s what members do here, what is shared with the shop, and how long each kind of data is kept',
    async (language) => {
      const html = await (await fetch(`${portal.url}/privacy?lng=${language}`)).text()
      const texts = privacy(language)
      for (const item of ['newPassword', 'details', 'emailChange', 'readiness', 'auditLog', 'returns']) {
        expect(html, item).toContain(texts.doing.items[item])
      }
      for (const item of ['sessions', 'codes', 'counters', 'outbox', 'records']) {
        expect(html, item).toContain(texts.retention.items[item])
      }
    },
  )
})
