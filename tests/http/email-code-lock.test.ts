import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { hitLimit, limitsFrom } from '~/security/rate-limit.server'
import { createPortalCrypto } from '~db/portal-crypto'
import {
  awayFromWindowEdge,
  emailCodeTo,
  importExport,
  type Page,
  queuedEmails,
  Visitor,
  withoutTokens,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The e-mail code's dead ends, over real HTTP: "send the code again" sends it
 * to the address typed, without typing it again; a code spent by 5 wrong
 * tries offers a new one while the per-address limits allow it, and once they
 * do not, says so plainly, with the time (Japan time) from which a new code
 * can be asked for and Retry-After, and sends nothing meanwhile; all of it the
 * same for an address in the data and one that is not.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const CHECK = locale('ja', 'check')
const COMMON = locale('ja', 'common')
const RATE_LIMITED: string = COMMON.rateLimited.message.split('{{time}}')[0]

const ADDRESSES = {
  resent: 'hanako.resent@example.jp',
  spent: 'taro.spent@example.jp',
  waiting: 'jiro.waiting@example.jp',
  limited: 'saburo.limited@example.jp',
}
const UNKNOWN_WAITING = 'nobody.waiting@example.jp'

const HOUR = 60 * 60 * 1000
const hourly = limitsFrom({
  IP_FAILURE_LIMIT: 1,
  IP_CHECK_LIMIT: 1,
  IP_ACCOUNT_LIMIT: 1,
  STAFF_SIGN_IN_IP_LIMIT: 1,
}).emailCodesPerAddress

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' } })
  await importExport(portal, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...Object.values(ADDRESSES).map((email, i) => member({ member_id: `M${i + 1}`, email })),
    ],
  })
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
})

const otherCode = (code: string, offset = 1) => String((Number(code) + offset) % 1_000_000).padStart(6, '0')

const enterCode = (visitor: Visitor, code: string) =>
  visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })

const resend = (visitor: Visitor) =>
  visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', intent: 'resend' })

/** Codes asked for the address earlier this hour, counted as the server counts them. */
async function codesAskedEarlier(address: string, count: number) {
  const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  await withPortalDatabase(portal.databaseUrl, async (db) => {
    for (let i = 0; i < count; i++) await hitLimit(db, crypto, hourly, address)
  })
}

const RESEND_FORM = /<input type="hidden" name="intent" value="resend"\/?>/

/** "21時00分（日本時間）以降に": the end of this clock hour, as the page must name it. */
function endOfHourInJapan() {
  const end = new Date(Math.floor(Date.now() / HOUR) * HOUR + HOUR)
  return `${(end.getUTCHours() + 9) % 24}時00分（日本時間）以降に`
}

function expectSupportDesk(page: Page) {
  expect(page.body).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
}

describe('e-mail codes: no dead end', { timeout: 90_000 }, () => {
  it('sends the code again to the address typed, from the code page, without typing it again', async () => {
    const visitor = new Visitor(portal.url)
    let from = sink.received.length
    expect((await visitor.submit('/check/email', { email: ADDRESSES.resent })).status).toBe(303)
    const first = await emailCodeTo(sink, ADDRESSES.resent, from)
    const page = await visitor.get('/check/email/code')
    expect(page.body).toMatch(RESEND_FORM)
    expectSupportDesk(page)

    from = sink.received.length
    const again = await resend(visitor)
    expect(again.status).toBe(200)
    expect(again.body).toContain(CHECK.emailCode.resent)
    expect(again.body).toContain('name="code"')
    const second = await emailCodeTo(sink, ADDRESSES.resent, from)
    expect(second).not.toBe(first)
    expect((await enterCode(visitor, first)).status).toBe(422)
    const right = await enterCode(visitor, second)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('offers a new code to the same address once 5 wrong tries spent the code, while the limits allow one', async () => {
    const visitor = new Visitor(portal.url)
    let from = sink.received.length
    await visitor.submit('/check/email', { email: ADDRESSES.spent })
    const code = await emailCodeTo(sink, ADDRESSES.spent, from)
    let last: Page | undefined
    for (let i = 1; i <= 5; i++) last = await enterCode(visitor, otherCode(code, i))
    expect(last?.status).toBe(422)
    expect(last?.body).toContain(CHECK.emailCode.spent.heading)
    expect(last?.body).not.toContain('name="code"')
    expect(last?.body).toMatch(RESEND_FORM)
    expect(last?.headers.get('retry-after')).toBeNull()

    from = sink.received.length
    expect((await resend(visitor)).status).toBe(200)
    const fresh = await emailCodeTo(sink, ADDRESSES.spent, from)
    const right = await enterCode(visitor, fresh)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('says too many wrong codes were entered and from what time (Japan time) to ask again, with 429 and Retry-After, and sends nothing meanwhile; known or not alike', async () => {
    await awayFromWindowEdge(HOUR, 60_000)
    const pages: string[] = []
    for (const address of [ADDRESSES.waiting, UNKNOWN_WAITING]) {
      // Four codes asked earlier this hour, all spent: this is the hour's last.
      await codesAskedEarlier(address, hourly.max - 1)
      const visitor = new Visitor(portal.url)
      expect((await visitor.submit('/check/email', { email: address })).status, address).toBe(303)
      let last: Page | undefined
      for (let i = 1; i <= 5; i++) last = await enterCode(visitor, String(100000 + i))
      const retryAfter = Number(last?.headers.get('retry-after'))
      expect(last?.status, address).toBe(429)
      expect(retryAfter, address).toBeGreaterThan(0)
      expect(retryAfter, address).toBeLessThanOrEqual(3600)
      for (const page of [last as Page, await visitor.get('/check/email/code')]) {
        expect(page.status, address).toBe(429)
        expect(Number(page.headers.get('retry-after')), address).toBeGreaterThan(0)
        expect(page.body, address).toContain(CHECK.emailCode.wait.spent.heading)
        expect(page.body, address).toContain(endOfHourInJapan())
        // Nothing offered that could only be refused; the letter code and the desk instead.
        expect(page.body, address).not.toContain('name="code"')
        expect(page.body, address).not.toMatch(RESEND_FORM)
        expect(page.body, address).toContain('href="/check/letter"')
        expectSupportDesk(page)
      }
      // Asked for all the same, from the code page or the form: refused, nothing queued.
      const before = await queuedEmails(portal.databaseUrl)
      expect((await resend(visitor)).status, address).toBe(429)
      expect((await visitor.submit('/check/email', { email: address })).status, address).toBe(429)
      expect(await queuedEmails(portal.databaseUrl), address).toBe(before)
      const page = await visitor.get('/check/email/code')
      pages.push(withoutTokens(page.body, { csrf: visitor.csrf }))
    }
    expect(pages[1]).toBe(pages[0])
  })

  it('refuses a code asked again over the hourly limit with 429 and when, and keeps the code in hand usable', async () => {
    await awayFromWindowEdge(HOUR, 60_000)
    const visitor = new Visitor(portal.url)
    const from = sink.received.length
    await visitor.submit('/check/email', { email: ADDRESSES.limited })
    const code = await emailCodeTo(sink, ADDRESSES.limited, from)
    await codesAskedEarlier(ADDRESSES.limited, hourly.max - 1)
    const before = await queuedEmails(portal.databaseUrl)
    const refused = await resend(visitor)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.body).toContain(RATE_LIMITED)
    expect(refused.body).toContain(CHECK.emailCode.codesLimited)
    expect(refused.body).toContain('name="code"')
    expectSupportDesk(refused)
    expect(await queuedEmails(portal.databaseUrl)).toBe(before)
    const right = await enterCode(visitor, code)
    expect(right.status).toBe(303)
  })
})
