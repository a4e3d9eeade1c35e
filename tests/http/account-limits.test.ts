import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awayFromWindowEdge, emailCodeTo, importExport, type Page, Visitor } from '../support/check-visitor'
import { detailsForm } from '../support/details-form'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The member pages' costly posts, over real HTTP against the built server: a
 * burst of details posts with a changed address mails no more codes than the
 * limits allow, new passwords and strength readings are counted per account,
 * and every one of those posts per client IP. A refused post is a 429 with
 * Retry-After that says when to come back, and has done nothing.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const ACCOUNT = locale('ja', 'account')
const RATE_LIMITED: string = locale('ja', 'common').rateLimited.message.split('{{time}}')[0]

const HOUR = 60 * 60 * 1000
const QUARTER_HOUR = 15 * 60 * 1000
const NEW_PASSWORD = 'quiet harbour lanterns drift 47'
/** The limits as the limits module names them (app/security/rate-limit.server.ts). */
const CODES_PER_ADDRESS = 5
const CODES_PER_MEMBER = 10
const PASSWORD_TRIES = 20
const STRENGTH_CHECKS = 200
const IP_LIMIT = 6

const ADDRESSES = {
  rotating: 'ran.rotating@example.jp',
  sameAddress: 'kiku.same@example.jp',
  tries: 'ume.tries@example.jp',
  meter: 'yuri.meter@example.jp',
  client: 'momo.client@example.jp',
}

const secrets = testSecrets()
let sink: SmtpSink

beforeAll(async () => {
  sink = await startSmtpSink()
})

afterAll(async () => {
  await sink?.close()
})

async function portalWith(env: Record<string, string> = {}) {
  const portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000', ...env } })
  await importExport(portal, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...Object.values(ADDRESSES).map((email, i) => member({ member_id: `M${i + 1}`, email })),
    ],
  })
  return portal
}

/** A member who proved by e-mail code that they hold `address`, and (unless told) set a new password. */
async function member_(portal: PortalServer, address: string, { newPassword = true } = {}) {
  const visitor = new Visitor(portal.url)
  const from = sink.received.length
  expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
  const code = await emailCodeTo(sink, address, from)
  const verified = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })
  expect(verified.location).toBe('/exposure')
  if (newPassword) {
    await visitor.get('/account/password')
    const saved = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: NEW_PASSWORD,
      intent: 'save',
    })
    expect(saved.status).toBe(303)
  }
  return visitor
}

/** Codes queued for the e-mail change of any member so far (sent or not). */
const codesQueued = async (portal: PortalServer) =>
  (await portalValue<number>(
    portal.databaseUrl,
    `select count(*) from outbox_messages o join messages m on m.id = o.message_id
      where m.purpose = 'email_code'`,
  )) ?? 0

function expectRefused(page: Page, windowMs: number) {
  expect(page.status).toBe(429)
  const retryAfter = Number(page.headers.get('retry-after'))
  expect(Number.isInteger(retryAfter)).toBe(true)
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000)
  expect(page.headers.get('cache-control')).toBe('no-store')
}

const strengthCheck = (visitor: Visitor, password: string) =>
  visitor.post('/account/password-strength', { csrf: visitor.csrf ?? '', password })

describe('the member pages per account', { timeout: 180_000 }, () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await portalWith()
  }, 90_000)

  afterAll(async () => {
    await portal?.stop()
  })

  it('mails no more than ten codes an hour for one account, however many addresses a burst of details posts names', async () => {
    await awayFromWindowEdge(HOUR, 60_000)
    const visitor = await member_(portal, ADDRESSES.rotating)
    const before = await codesQueued(portal)
    const form = await detailsForm(visitor)
    const statuses: number[] = []
    let last: Page | undefined
    for (let i = 0; i < 40; i++) {
      last = await visitor.post('/account/details', { ...form, email: `burst-${i}@example.net` })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([
      ...Array(CODES_PER_MEMBER).fill(303),
      ...Array(40 - CODES_PER_MEMBER).fill(429),
    ])
    expect((await codesQueued(portal)) - before).toBe(CODES_PER_MEMBER)
    const refused = last as Page
    expectRefused(refused, HOUR)
    // Nothing saved, everything typed still there, and when to come back.
    expect(refused.body).toContain(RATE_LIMITED)
    expect(refused.body).toContain(ACCOUNT.details.rateLimited)
    expect(refused.body).toContain('value="burst-39@example.net"')
    // "Send the code again" is the same code machinery: refused as well.
    await visitor.get('/account/email')
    const resent = await visitor.post('/account/email', { csrf: visitor.csrf ?? '', intent: 'resend' })
    expectRefused(resent, HOUR)
    expect(resent.body).toContain(RATE_LIMITED)
    expect((await codesQueued(portal)) - before).toBe(CODES_PER_MEMBER)
  })

  it('counts codes to a new address with the e-mail check: five an hour to one address, whoever asks', async () => {
    await awayFromWindowEdge(HOUR, 60_000)
    const visitor = await member_(portal, ADDRESSES.sameAddress)
    const target = 'kiku.new@example.net'
    const before = await codesQueued(portal)
    const form = await detailsForm(visitor, { email: target })
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await visitor.post('/account/details', form)).status)
    expect(statuses).toEqual([...Array(CODES_PER_ADDRESS).fill(303), 429, 429, 429])
    expect((await codesQueued(portal)) - before).toBe(CODES_PER_ADDRESS)
    const check = await new Visitor(portal.url).submit('/check/email', { email: target })
    expectRefused(check, HOUR)
    // Keeping the old address saves the rest at once: the limit is on codes, not on the details.
    const kept = await visitor.post('/account/details', { ...form, email: ADDRESSES.sameAddress })
    expect(kept.status).toBe(303)
  })

  it('judges at most twenty new passwords a quarter-hour for one account', async () => {
    await awayFromWindowEdge(QUARTER_HOUR, 60_000)
    const visitor = await member_(portal, ADDRESSES.tries, { newPassword: false })
    await visitor.get('/account/password')
    const statuses: number[] = []
    let last: Page | undefined
    for (let i = 0; i <= PASSWORD_TRIES; i++) {
      last = await visitor.post('/account/password', {
        csrf: visitor.csrf ?? '',
        password: `abcabcabcabcabc${i}`,
        intent: 'save',
      })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([...Array(PASSWORD_TRIES).fill(422), 429])
    const refused = last as Page
    expectRefused(refused, QUARTER_HOUR)
    expect(refused.body).toContain(RATE_LIMITED)
    expect(refused.body).toContain(ACCOUNT.password.rateLimited)
    // A good password now is refused too, and not stored.
    const good = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: NEW_PASSWORD,
      intent: 'save',
    })
    expect(good.status).toBe(429)
    expect((await visitor.get('/account/details')).location).toBe('/account/password')
  })

  it('reads the strength of at most two hundred passwords a quarter-hour for one account, then answers 429', async () => {
    await awayFromWindowEdge(QUARTER_HOUR, 60_000)
    const visitor = await member_(portal, ADDRESSES.meter, { newPassword: false })
    await visitor.get('/account/password')
    const statuses: number[] = []
    let last: Page | undefined
    for (let i = 0; i <= STRENGTH_CHECKS; i++) {
      last = await strengthCheck(visitor, `harbour ${i}`)
      statuses.push(last.status)
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(STRENGTH_CHECKS)
    expect(statuses.at(-1)).toBe(429)
    const refused = last as Page
    expectRefused(refused, QUARTER_HOUR)
    const body = JSON.parse(refused.body) as { strength: null; rateLimited: { retryAt: string } }
    expect(body.strength).toBeNull()
    expect(Date.parse(body.rateLimited.retryAt)).toBeGreaterThan(Date.now())
    // Without JavaScript, "show" still shows the password, and says the meter rests.
    const shown = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: 'harbour',
      intent: 'show',
    })
    expect(shown.status).toBe(200)
    expect(shown.body).toContain(ACCOUNT.strength.paused)
    expect(shown.body).not.toContain('<meter')
  })
})

describe('the member pages per client IP', { timeout: 120_000 }, () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await portalWith({ IP_ACCOUNT_LIMIT: String(IP_LIMIT) })
  }, 90_000)

  afterAll(async () => {
    await portal?.stop()
  })

  it('refuses costly posts from one client past IP_ACCOUNT_LIMIT, whichever page and account, X-Forwarded-For or not', async () => {
    await awayFromWindowEdge(QUARTER_HOUR, 60_000)
    const one = await member_(portal, ADDRESSES.client, { newPassword: false })
    const other = await member_(portal, ADDRESSES.meter, { newPassword: false })
    await one.get('/account/password')
    await other.get('/account/password')
    const statuses: number[] = []
    for (let i = 0; i < IP_LIMIT; i++) {
      statuses.push((await strengthCheck(i % 2 === 0 ? one : other, `harbour ${i}`)).status)
    }
    expect(statuses).toEqual(Array(IP_LIMIT).fill(200))
    const spoofed = await other.post(
      '/account/password-strength',
      { csrf: other.csrf ?? '', password: 'harbour' },
      { 'X-Forwarded-For': '203.0.113.9' },
    )
    expectRefused(spoofed, QUARTER_HOUR)
    const saved = await one.post('/account/password', {
      csrf: one.csrf ?? '',
      password: NEW_PASSWORD,
      intent: 'save',
    })
    expectRefused(saved, QUARTER_HOUR)
    expect(saved.body).toContain(RATE_LIMITED)
    expect((await one.get('/account/details')).location).toBe('/account/password')
  })
})
