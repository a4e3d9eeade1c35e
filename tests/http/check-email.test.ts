import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { hitLimit, limitsFrom } from '~/security/rate-limit.server'
import { createPortalCrypto } from '~db/portal-crypto'
import {
  awayFromWindowEdge,
  emailCodeOf,
  emailCodeTo,
  importExport,
  mailTo,
  plainText,
  queuedEmails,
  Visitor,
  withoutTokens,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalRun, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * Proving who you are by e-mail, over real HTTP against the built server: the
 * code travels through the portal's outbox and its background sender to a
 * real SMTP server on loopback, where the test reads it.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const CHECK = locale('ja', 'check')
const COMMON = locale('ja', 'common')
const EXPOSURE = locale('ja', 'exposure')
const WRONG_CODE: string = CHECK.emailCode.errors.wrong
const SPENT: string = CHECK.emailCode.spent.heading
const EXPIRED: string = CHECK.emailCode.expired.heading
const CLOSED: string = CHECK.emailCode.closed.heading
/** The notice's words before the time it names. */
const RATE_LIMITED: string = COMMON.rateLimited.message.split('{{time}}')[0]

const ADDRESSES = {
  journey: 'hanako.mihon@example.jp',
  wrongOnce: 'taro.wrong@example.jp',
  fiveWrong: 'jiro.five@example.jp',
  renewed: 'saburo.renewed@example.jp',
  carried: 'shiro.carried@example.jp',
  limited: 'goro.limited@example.jp',
  rotated: 'rokuro.rotated@example.jp',
  signedOut: 'shichiro.out@example.jp',
  idle: 'kuro.idle@example.jp',
  old: 'juro.old@example.jp',
  refused: 'hachiro.refused@example.jp',
  closed: 'ichiro.closed@example.jp',
  expired: 'jiro.expired@example.jp',
  hyphenated: 'taro.hyphen@example.jp',
}
const UNKNOWN = 'nobody.limited@example.jp'
const UNKNOWN_CLOSED = 'nobody.closed@example.jp'
const DAILY = 'saburo.daily@example.jp'
const UNKNOWN_DAILY = 'nobody.daily@example.jp'

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' } })
  await importExport(portal, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...[...Object.values(ADDRESSES), DAILY].map((email, i) => member({ member_id: `M${i + 1}`, email })),
    ],
  })
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
})

/** Another 6-digit code than `code`. */
const otherCode = (code: string, offset = 1) => String((Number(code) + offset) % 1_000_000).padStart(6, '0')

/** Asks for a code for `address` on the visitor's session and reads it from the mail. */
async function requestCode(visitor: Visitor, address: string) {
  const from = sink.received.length
  const asked = await visitor.submit('/check/email', { email: address })
  expect(asked.status).toBe(303)
  expect(asked.location).toBe('/check/email/code')
  return emailCodeTo(sink, address, from)
}

function enterCode(visitor: Visitor, code: string) {
  return visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })
}

/** A visitor who proved they hold `address`. */
async function verifiedVisitor(address: string) {
  const visitor = new Visitor(portal.url)
  const code = await requestCode(visitor, address)
  const verified = await enterCode(visitor, code)
  expect(verified.status).toBe(303)
  expect(verified.location).toBe('/exposure')
  return visitor
}

/** Sets columns of the address's code row in the server's database, as time or many tries would. */
async function alterChallenge(address: string, set: string) {
  const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  const changed = await portalRun(
    portal.databaseUrl,
    `update verification_challenges set ${set} where type = 'email-code' and target_index = ?`,
    crypto.index('email', address),
  )
  expect(changed).toBe(1)
}

/** What a dead-code page must always say: whom to contact. */
function expectSupportDesk(body: string) {
  expect(body).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
}

const sessionCookie = (visitor: Visitor) => visitor.cookies.get('portal_session')

/** /exposure with exactly this session cookie (none: no cookie at all). */
function exposureWith(session?: string) {
  return new Visitor(portal.url).get('/exposure', session ? { Cookie: `portal_session=${session}` } : {})
}

// Each code comes through the outbox, polled every second: allow for a busy machine.
describe('checking by e-mail', { timeout: 90_000 }, () => {
  it('takes a known address from the form to its exposure through the code in the e-mail', async () => {
    const visitor = new Visitor(portal.url)
    const form = await visitor.get('/check/email')
    expect(form.status).toBe(200)
    expect(form.body).toContain('name="email"')
    expect(visitor.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(visitor.cookies.get('portal_csrf')).toBeDefined()

    const from = sink.received.length
    const asked = await visitor.post('/check/email', { csrf: visitor.csrf ?? '', email: ADDRESSES.journey })
    expect(asked.status).toBe(303)
    expect(asked.location).toBe('/check/email/code')
    expect(asked.setCookies.join('\n')).toMatch(
      /^portal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/m,
    )

    const codePage = await visitor.get('/check/email/code')
    expect(codePage.status).toBe(200)
    expect(codePage.body).toContain('name="code"')
    // Asking for a code proves nothing yet.
    expect((await visitor.get('/exposure')).status).toBe(403)

    const mail = await mailTo(sink, ADDRESSES.journey, { from })
    const code = emailCodeOf(mail)
    expect(code).toMatch(/^\d{6}$/)
    // The code e-mail carries no link to follow.
    expect(plainText(mail.raw)).not.toMatch(/https?:\/\//)

    const verified = await enterCode(visitor, code ?? '')
    expect(verified.status).toBe(303)
    expect(verified.location).toBe('/exposure')

    const exposure = await visitor.get('/exposure')
    expect(exposure.status).toBe(200)
    expect(exposure.body).toContain(EXPOSURE.heading)
    expect(exposure.body).toContain('h***@example.jp')
    expect(exposure.body).not.toContain(ADDRESSES.journey)
    expect(exposure.headers.get('cache-control')).toBe('no-store')
    // The site-wide policy comes first; a browser applies the last valid token.
    const referrerPolicy = exposure.headers.get('referrer-policy') ?? ''
    expect(referrerPolicy).toContain('no-referrer')
    expect(referrerPolicy.split(',').at(-1)?.trim()).toBe('no-referrer')
  })

  it('answers a wrong code 422 and still takes the right one after it', async () => {
    const visitor = new Visitor(portal.url)
    const code = await requestCode(visitor, ADDRESSES.wrongOnce)
    const wrong = await enterCode(visitor, otherCode(code))
    expect(wrong.status).toBe(422)
    expect(wrong.body).toContain(WRONG_CODE)
    expect(wrong.setCookies.filter((c) => c.startsWith('portal_session='))).toEqual([])
    expect((await visitor.get('/exposure')).status).toBe(403)

    const right = await enterCode(visitor, code)
    expect(right.status).toBe(303)
    expect((await visitor.get('/exposure')).status).toBe(200)
  })

  it('takes the code typed with a hyphen between its groups, "123-456", as /account/email does', async () => {
    const visitor = new Visitor(portal.url)
    const code = await requestCode(visitor, ADDRESSES.hyphenated)
    const right = await enterCode(visitor, `${code.slice(0, 3)}-${code.slice(3)}`)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('kills a code after 5 wrong tries: the right one then fails too', async () => {
    const visitor = new Visitor(portal.url)
    const code = await requestCode(visitor, ADDRESSES.fiveWrong)
    for (let i = 1; i <= 5; i++) {
      const wrong = await enterCode(visitor, otherCode(code, i))
      expect(wrong.status, `wrong try ${i}`).toBe(422)
    }
    const right = await enterCode(visitor, code)
    expect(right.status).toBe(422)
    // It says the code is spent and offers a new one, instead of a form that can no longer work.
    expect(right.body).toContain(SPENT)
    expect(right.body).not.toContain('name="code"')
    expect(right.body).toContain('href="/check/email"')
    expectSupportDesk(right.body)
    expect((await visitor.get('/exposure')).status).toBe(403)
  })

  it('kills the old code when a new one is sent', async () => {
    const visitor = new Visitor(portal.url)
    const first = await requestCode(visitor, ADDRESSES.renewed)
    const second = await requestCode(visitor, ADDRESSES.renewed)
    expect(second).not.toBe(first)
    expect((await enterCode(visitor, first)).status).toBe(422)
    const right = await enterCode(visitor, second)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it("gives a new code 5 fresh tries: a stranger who burnt the old code's cannot refuse the owner's next one", async () => {
    const stranger = new Visitor(portal.url)
    const first = await requestCode(stranger, ADDRESSES.carried)
    for (let i = 1; i <= 5; i++) expect((await enterCode(stranger, otherCode(first, i))).status).toBe(422)
    expect((await stranger.get('/check/email/code')).body).toContain(SPENT)
    const owner = new Visitor(portal.url)
    const second = await requestCode(owner, ADDRESSES.carried)
    expect((await enterCode(owner, otherCode(second))).status).toBe(422)
    const right = await enterCode(owner, second)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('says when a code has expired and offers a new one', async () => {
    const visitor = new Visitor(portal.url)
    const code = await requestCode(visitor, ADDRESSES.expired)
    await alterChallenge(ADDRESSES.expired, 'expires_at = 0')
    const page = await visitor.get('/check/email/code')
    expect(page.status).toBe(200)
    expect(page.body).toContain(EXPIRED)
    expect(page.body).toContain('href="/check/email"')
    expectSupportDesk(page.body)
    const late = await enterCode(visitor, code)
    expect(late.status).toBe(422)
    expect(late.body).toContain(EXPIRED)
  })

  it('closes e-mail codes after 100 wrong tries in a row, known or not, and points to the letter code and the support desk', async () => {
    const pages: string[] = []
    for (const address of [ADDRESSES.closed, UNKNOWN_CLOSED]) {
      const visitor = new Visitor(portal.url)
      expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
      // 99 wrong tries in a row already, as 20 codes over a few days would leave them.
      await alterChallenge(address, 'consecutive_failures = 99')
      const last = await enterCode(visitor, '000000')
      expect(last.status, address).toBe(422)
      expect(last.body, address).toContain(CLOSED)
      expect(last.body, address).toContain('href="/check/letter"')
      expect(last.body, address).not.toContain('name="code"')
      expectSupportDesk(last.body)
      // A new code is neither sent nor accepted: the page says so again.
      const before = await queuedEmails(portal.databaseUrl)
      expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
      const again = await visitor.get('/check/email/code')
      expect(again.body, address).toContain(CLOSED)
      expect(await queuedEmails(portal.databaseUrl)).toBe(before)
      pages.push(withoutTokens(again.body, { csrf: visitor.csrf }))
    }
    expect(pages[1]).toBe(pages[0])
  })

  it('refuses the 6th code within the hour with 429 and Retry-After, for a known and an unknown address alike', async () => {
    const outcomes: Record<
      string,
      { statuses: number[]; queued: number; retryAfter: number; body: string; page: string }
    > = {}
    // The count is per clock hour: all six in the same one.
    await awayFromWindowEdge(60 * 60 * 1000)
    for (const address of [ADDRESSES.limited, UNKNOWN]) {
      const visitor = new Visitor(portal.url)
      const before = await queuedEmails(portal.databaseUrl)
      const statuses: number[] = []
      let last: Awaited<ReturnType<Visitor['submit']>> | undefined
      for (let i = 0; i < 6; i++) {
        last = await visitor.submit('/check/email', { email: address })
        statuses.push(last.status)
      }
      outcomes[address] = {
        statuses,
        queued: (await queuedEmails(portal.databaseUrl)) - before,
        retryAfter: Number(last?.headers.get('retry-after')),
        body: last?.body ?? '',
        // The refused page echoes the address typed; the rest is the same for both.
        page: withoutTokens(last?.body ?? '', { csrf: visitor.csrf, email: address }),
      }
    }
    for (const [address, outcome] of Object.entries(outcomes)) {
      expect(outcome.statuses, address).toEqual([303, 303, 303, 303, 303, 429])
      expect(outcome.retryAfter, address).toBeGreaterThanOrEqual(1)
      expect(outcome.retryAfter, address).toBeLessThanOrEqual(3600)
      expect(outcome.body, address).toContain(RATE_LIMITED)
    }
    // Five e-mails each (codes for the address in the data, "not affected" for the other); never a sixth.
    expect(outcomes[ADDRESSES.limited]?.queued).toBe(5)
    expect(outcomes[UNKNOWN]?.queued).toBe(5)
    expect(outcomes[UNKNOWN]?.page).toBe(outcomes[ADDRESSES.limited]?.page)
  })

  it('refuses the 11th code within the day with 429, for a known and an unknown address alike', async () => {
    const limit = limitsFrom({
      IP_FAILURE_LIMIT: 1,
      IP_CHECK_LIMIT: 1,
      IP_ACCOUNT_LIMIT: 1,
      STAFF_SIGN_IN_IP_LIMIT: 1,
    }).emailCodesPerAddressPerDay
    expect(limit.max).toBe(10)
    await awayFromWindowEdge(limit.windowMs)
    const pages: string[] = []
    for (const address of [DAILY, UNKNOWN_DAILY]) {
      // Ten codes asked for earlier today, across two hours: counted as the server counts them.
      const crypto = createPortalCrypto({
        dataKey: secrets.PORTAL_DATA_KEY,
        indexKey: secrets.PORTAL_INDEX_KEY,
      })
      await withPortalDatabase(portal.databaseUrl, async (db) => {
        for (let i = 0; i < limit.max; i++)
          expect((await hitLimit(db, crypto, limit, address)).limited).toBe(false)
      })
      const visitor = new Visitor(portal.url)
      const before = await queuedEmails(portal.databaseUrl)
      const refused = await visitor.submit('/check/email', { email: address })
      expect(refused.status, address).toBe(429)
      expect(Number(refused.headers.get('retry-after')), address).toBeGreaterThan(0)
      expect(Number(refused.headers.get('retry-after')), address).toBeLessThanOrEqual(24 * 60 * 60)
      expect(refused.body, address).toContain(RATE_LIMITED)
      expect(await queuedEmails(portal.databaseUrl)).toBe(before)
      pages.push(withoutTokens(refused.body, { csrf: visitor.csrf, email: address }))
    }
    expect(pages[1]).toBe(pages[0])
  })

  it('refuses a POST without the form token with 403, before doing anything', async () => {
    const before = await queuedEmails(portal.databaseUrl)
    for (const path of ['/check/email', '/check/email/code', '/check/letter']) {
      const visitor = new Visitor(portal.url)
      await visitor.get('/check/email')
      expect(visitor.cookies.get('portal_csrf')).toBeDefined()
      const refused = await visitor.post(path, {
        email: ADDRESSES.refused,
        code: '123456',
        proof: '1980-05-06',
      })
      expect(refused.status, path).toBe(403)
      expect(
        refused.setCookies.filter((c) => c.startsWith('portal_session=')),
        path,
      ).toEqual([])
      const forged = await visitor.post(path, {
        csrf: 'A'.repeat(43),
        email: ADDRESSES.refused,
        code: '123456',
      })
      expect(forged.status, path).toBe(403)
    }
    expect(await queuedEmails(portal.databaseUrl)).toBe(before)
  })

  it('refuses a POST from another origin with 403, even with a valid token', async () => {
    const before = await queuedEmails(portal.databaseUrl)
    const visitor = new Visitor(portal.url)
    await visitor.get('/check/email')
    const refused = await visitor.post(
      '/check/email',
      { csrf: visitor.csrf ?? '', email: ADDRESSES.refused },
      { Origin: 'https://evil.example' },
    )
    expect(refused.status).toBe(403)
    expect(refused.setCookies).toEqual([])
    // The same form from our own origin would have gone through.
    expect(await queuedEmails(portal.databaseUrl)).toBe(before)
  })

  it('rotates the session on verification: the old cookie opens nothing', async () => {
    const visitor = new Visitor(portal.url)
    const code = await requestCode(visitor, ADDRESSES.rotated)
    const before = sessionCookie(visitor)
    expect(before).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const verified = await enterCode(visitor, code)
    expect(verified.status).toBe(303)
    expect(verified.setCookies.join('\n')).toMatch(
      /^portal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/m,
    )
    const after = sessionCookie(visitor)
    expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(after).not.toBe(before)

    expect((await exposureWith(after)).status).toBe(200)
    const old = await exposureWith(before)
    expect(old.status).toBe(403)
    expect(old.location).toBeNull()
    // Nor is the old one still in the middle of a check: the code page says the check ended.
    const codePage = await new Visitor(portal.url).get('/check/email/code', {
      Cookie: `portal_session=${before}`,
    })
    expect(codePage.status).toBe(403)
    expect(codePage.body).toContain('href="/check/email"')
  })

  it('answers /exposure without a session, or with an unknown one, with the page that leads to the check', async () => {
    for (const session of [undefined, 'A'.repeat(43)]) {
      const page = await exposureWith(session)
      expect(page.status).toBe(403)
      expect(page.location).toBeNull()
      expect(page.body).toContain('href="/check"')
    }
  })

  it('ends the session on sign out: /exposure is refused again, even with the old cookie', async () => {
    const visitor = await verifiedVisitor(ADDRESSES.signedOut)
    const session = sessionCookie(visitor)
    const exposure = await visitor.get('/exposure')
    expect(exposure.status).toBe(200)
    expect(exposure.body).toContain('action="/signout"')

    const signedOut = await visitor.post('/signout', { csrf: visitor.csrf ?? '' })
    expect(signedOut.status).toBe(303)
    expect(signedOut.location).toBe('/signout/done')
    expect(sessionCookie(visitor)).toBeUndefined()

    const after = await visitor.get('/exposure')
    expect(after.status).toBe(403)
    // The browser that checked by e-mail is led back to the e-mail check.
    expect(after.body).toContain('href="/check/email"')
    // A copy of the cookie kept elsewhere is worth nothing either: the server forgot the session.
    const copy = await exposureWith(session)
    expect(copy.status).toBe(403)
    expect(copy.body).not.toContain(EXPOSURE.heading)
  })

  /** Moves every session of this database back in time, as if the visitor had been away. */
  async function age(column: 'last_seen_at' | 'created_at', minutes: number) {
    await portalRun(portal.databaseUrl, `update sessions set ${column} = ${column} - ?`, minutes * 60_000)
  }

  it('ends a session left idle for 30 minutes, but not one used within them', async () => {
    const visitor = await verifiedVisitor(ADDRESSES.idle)
    await age('last_seen_at', 29)
    expect((await visitor.get('/exposure')).status).toBe(200)
    await age('last_seen_at', 30)
    const expired = await visitor.get('/exposure')
    expect(expired.status).toBe(403)
    expect(expired.body).toContain(COMMON.sessionEnded.ended.title)
    expect(expired.body).toContain('href="/check/email"')
  })

  it('ends a session 12 hours after it began, however busy', async () => {
    const visitor = await verifiedVisitor(ADDRESSES.old)
    await age('created_at', 11 * 60 + 50)
    expect((await visitor.get('/exposure')).status).toBe(200)
    await age('created_at', 10)
    const expired = await visitor.get('/exposure')
    expect(expired.status).toBe(403)
    expect(expired.body).toContain(COMMON.sessionEnded.ended.title)
    expect(expired.body).toContain('href="/check/email"')
  })
})
