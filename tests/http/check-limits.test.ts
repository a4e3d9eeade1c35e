import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newLetterCode } from '~/codes/letter-code.server'
import { intlLocale } from '~/i18n/config'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { awayFromWindowEdge, importExport, type Page, queuedEmails, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { type PortalServer, startPortal } from '../support/portal-server'

import { testSecrets } from '../support/secrets'

/**
 * The per-client failure limit, shared by every check page: with
 * IP_FAILURE_LIMIT=3 the fourth attempt after three failures is refused with
 * 429, Retry-After and a notice in the reader's language saying when to come
 * back. The client is the socket's peer: X-Forwarded-For, which anyone can
 * write, changes nothing while TRUST_PROXY is unset.
 */

type Language = 'ja' | 'en'
const locale = (language: Language, namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))

const FAILURE_LIMIT = 3
const QUARTER_HOUR = 15 * 60 * 1000
const KNOWN = 'hanako.limits@example.jp'
const CHECK_THE_CODE: string = locale('ja', 'check').letter.errors.checkTheCode

const secrets = testSecrets()
let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: { ...secrets, IP_FAILURE_LIMIT: String(FAILURE_LIMIT) } })
  await importExport(portal, secrets, {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: KNOWN })],
  })
  // The tests below share one 15-minute window of the failure count.
  await awayFromWindowEdge(QUARTER_HOUR)
})

afterAll(async () => {
  await portal?.stop()
})

/**
 * The notice a refused page shows, in `language`, for the end of the
 * 15-minute window that Retry-After points into, written as the page writes it.
 */
function expectedNotice(language: Language, retryAfterSeconds: number, sentAt: number) {
  const retryAt = new Date(Math.round((sentAt + retryAfterSeconds * 1000) / QUARTER_HOUR) * QUARTER_HOUR)
  const common = locale(language, 'common').rateLimited as { message: string; dateTime: string }
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(intlLocale(language), { ...options, timeZone: 'Asia/Tokyo' }).format(retryAt)
  const date = format({ year: 'numeric', month: 'long', day: 'numeric' })
  const time = format({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  return common.message.replace(
    '{{time}}',
    common.dateTime.replace('{{date}}', date).replace('{{time}}', time),
  )
}

/** The notice's sentence, and the paragraph it stands in (which also names the desk). */
const noticeOf = (page: Page) =>
  page.body.match(/<p class="callout rate-limited" role="alert">(.*?)<\/p>/s)?.[1]

function expectRefused(page: Page, language: Language, sentAt: number) {
  expect(page.status).toBe(429)
  const retryAfter = Number(page.headers.get('retry-after'))
  expect(Number.isInteger(retryAfter)).toBe(true)
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(QUARTER_HOUR / 1000)
  expect(page.headers.get('cache-control')).toBe('no-store')
  const notice = noticeOf(page) ?? ''
  expect(notice.split('<')[0]).toBe(expectedNotice(language, retryAfter, sentAt))
  expect(notice).toContain(`mailto:${SUPPORT_EMAIL}`)
}

const wrongLetter = (visitor: Visitor, headers?: Record<string, string>) =>
  visitor.submit('/check/letter', { code: newLetterCode().printed, proof: '2000-01-01' }, headers)

describe('the failure limit per client IP', () => {
  it('does not count a typo the check symbol caught', async () => {
    const visitor = new Visitor(portal.url)
    const code = newLetterCode().printed
    const typo = `${code[0] === '7' ? '8' : '7'}${code.slice(1)}`
    for (let i = 1; i <= FAILURE_LIMIT + 2; i++) {
      const caught = await visitor.submit('/check/letter', { code: typo, proof: '2000-01-01' })
      expect(caught.status, `typo ${i}`).toBe(422)
      expect(caught.body).toContain(CHECK_THE_CODE)
    }
    // Were typos failures, the next test's first failure would already be refused.
  })

  it('refuses the 4th attempt after 3 failures, whatever X-Forwarded-For says', async () => {
    const visitor = new Visitor(portal.url)
    // Each failure claims another client; the server still counts them all against the socket's.
    for (let i = 1; i <= FAILURE_LIMIT; i++) {
      const failed = await wrongLetter(visitor, { 'X-Forwarded-For': `203.0.113.${i}` })
      expect(failed.status, `failure ${i}`).toBe(422)
    }
    const sentAt = Date.now()
    expectRefused(await wrongLetter(visitor), 'ja', sentAt)
    expectRefused(await wrongLetter(visitor, { 'X-Forwarded-For': '198.51.100.77' }), 'ja', sentAt)
    // Another visitor from the same address (no cookies in common) is the same client.
    expectRefused(await wrongLetter(new Visitor(portal.url)), 'ja', sentAt)
  })

  it('shows the notice in the reader’s language', async () => {
    const visitor = new Visitor(portal.url, { 'Accept-Language': 'en' })
    const sentAt = Date.now()
    const refused = await wrongLetter(visitor)
    expect(refused.body).toContain('<html lang="en"')
    expectRefused(refused, 'en', sentAt)
  })

  it('refuses every check page of that client, without sending a code', async () => {
    const before = await queuedEmails(portal.databaseUrl)
    const visitor = new Visitor(portal.url)
    const sentAt = Date.now()
    expectRefused(await visitor.submit('/check/email', { email: KNOWN }), 'ja', sentAt)
    expect(visitor.cookies.get('portal_session')).toBeUndefined()
    expect(await queuedEmails(portal.databaseUrl)).toBe(before)
  })
})
