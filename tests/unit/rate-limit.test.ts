import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { createInstance } from 'i18next'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { I18nextProvider, initReactI18next } from 'react-i18next'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '~/config.server'
import { i18nConfig } from '~/i18n/config'
import { resources } from '~/i18n/resources.server'
import { clientIp, ipBlockLimitKey, ipLimitKey } from '~/security/client-ip.server'
import {
  checkLimit,
  clearLimit,
  hitLimit,
  type Limit,
  limits,
  limitsFrom,
  longestLimitWindowMs,
} from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { trustProxySetting } from '~/server/app'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { createPortalCrypto } from '~db/portal-crypto'
import { clearHits, countInWindow, deleteOldWindows, recordHit } from '~db/rate-limits'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { openMigratedDatabase } from '../support/migrated-database'

const crypto = createPortalCrypto({
  dataKey: randomBytes(32).toString('base64'),
  indexKey: randomBytes(32).toString('base64'),
})

let directory: string
let databasePath: string
let sqlite: SqliteDatabase
let otherSqlite: SqliteDatabase
let db: PortalDatabase
let other: PortalDatabase

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'rate-limit-'))
  databasePath = join(directory, 'portal.db')
  sqlite = openMigratedDatabase(databasePath)
  db = sqlitePortalDatabase(sqlite)
  // A second connection to the same file stands for a second process of the portal.
  otherSqlite = openDatabase(databasePath)
  other = sqlitePortalDatabase(otherSqlite)
})

afterAll(() => {
  sqlite?.$client.close()
  otherSqlite?.$client.close()
  rmSync(directory, { recursive: true, force: true })
})

const HOUR = 60 * 60 * 1000
// 2026-04-23 10:00 in Japan, on a window boundary of every length used here.
const T0 = Date.UTC(2026, 3, 23, 1, 0, 0)

let buckets = 0
/** A limit of its own, so that tests sharing the database never share a counter. */
const freshLimit = (max: number, windowMs = HOUR): Limit => ({ bucket: `test-${++buckets}`, max, windowMs })

describe('the database counters', () => {
  const keyIndex = Buffer.alloc(16, 1)

  it('count hits per fixed window aligned to its length', async () => {
    const window = { bucket: 'db-test', keyIndex, windowMs: HOUR }
    expect(await countInWindow(db, { ...window, now: T0 })).toBe(0)
    expect(await recordHit(db, { ...window, now: T0 + 5 })).toBe(1)
    expect(await recordHit(db, { ...window, now: T0 + HOUR - 1 })).toBe(2)
    expect(await countInWindow(db, { ...window, now: T0 + 30 * 60 * 1000 })).toBe(2)
    expect(await recordHit(db, { ...window, now: T0 + HOUR })).toBe(1)
    expect(await countInWindow(db, { ...window, keyIndex: Buffer.alloc(16, 2), now: T0 })).toBe(0)
    expect(await countInWindow(db, { ...window, bucket: 'db-other', now: T0 })).toBe(0)
  })

  it('give hits made at once, from two processes, a total each', async () => {
    const window = { bucket: 'db-at-once', keyIndex, windowMs: HOUR, now: T0 }
    const totals = await Promise.all(
      Array.from({ length: 10 }, (_, i) => recordHit(i % 2 === 0 ? db : other, window)),
    )
    expect([...totals].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(await countInWindow(db, window)).toBe(10)
  })

  it('forget one key, or every window that began too long ago', async () => {
    const window = { bucket: 'db-cleanup', keyIndex, windowMs: HOUR }
    await recordHit(db, { ...window, now: T0 - 3 * HOUR })
    await recordHit(db, { ...window, now: T0 })
    await recordHit(db, { ...window, keyIndex: Buffer.alloc(16, 9), now: T0 })
    expect(await deleteOldWindows(db, T0 - HOUR)).toBeGreaterThanOrEqual(1)
    expect(await countInWindow(db, { ...window, now: T0 - 3 * HOUR })).toBe(0)
    expect(await countInWindow(db, { ...window, now: T0 })).toBe(1)
    expect(await clearHits(db, { bucket: 'db-cleanup', keyIndex })).toBe(1)
    expect(await countInWindow(db, { ...window, now: T0 })).toBe(0)
    expect(await countInWindow(db, { ...window, keyIndex: Buffer.alloc(16, 9), now: T0 })).toBe(1)
  })
})

describe('a limit', () => {
  it('lets requests through while under its maximum and refuses the one after', async () => {
    const limit = freshLimit(5)
    for (let i = 0; i < 5; i++) {
      expect(await checkLimit(db, crypto, limit, 'someone@example.jp', T0 + i)).toEqual({ limited: false })
      expect(await hitLimit(db, crypto, limit, 'someone@example.jp', T0 + i)).toEqual({ limited: false })
    }
    const now = T0 + 20 * 60 * 1000 + 500
    const expected = { limited: true, retryAfterSeconds: 40 * 60, retryAt: new Date(T0 + HOUR) }
    expect(await checkLimit(db, crypto, limit, 'someone@example.jp', now)).toEqual(expected)
    expect(await hitLimit(db, crypto, limit, 'someone@example.jp', now)).toEqual(expected)
    expect(await checkLimit(db, crypto, limit, 'another@example.jp', now)).toEqual({ limited: false })
  })

  it('rounds the wait up, and never says to come back in 0 seconds', async () => {
    const limit = freshLimit(1)
    await hitLimit(db, crypto, limit, '192.0.2.1', T0)
    expect(await checkLimit(db, crypto, limit, '192.0.2.1', T0 + HOUR - 1)).toMatchObject({
      retryAfterSeconds: 1,
    })
    expect(await checkLimit(db, crypto, limit, '192.0.2.1', T0 + HOUR - 1500)).toMatchObject({
      retryAfterSeconds: 2,
    })
  })

  it('does not count when only checked', async () => {
    const limit = freshLimit(1)
    for (let i = 0; i < 10; i++) await checkLimit(db, crypto, limit, '192.0.2.2', T0)
    expect(await hitLimit(db, crypto, limit, '192.0.2.2', T0)).toEqual({ limited: false })
  })

  it('starts afresh in the next window', async () => {
    const limit = freshLimit(2)
    await hitLimit(db, crypto, limit, '192.0.2.3', T0 + HOUR - 2)
    await hitLimit(db, crypto, limit, '192.0.2.3', T0 + HOUR - 1)
    expect((await checkLimit(db, crypto, limit, '192.0.2.3', T0 + HOUR - 1)).limited).toBe(true)
    expect(await checkLimit(db, crypto, limit, '192.0.2.3', T0 + HOUR)).toEqual({ limited: false })
    expect(await hitLimit(db, crypto, limit, '192.0.2.3', T0 + HOUR)).toEqual({ limited: false })
  })

  it('is lifted for one key by clearLimit', async () => {
    const limit = freshLimit(1)
    await hitLimit(db, crypto, limit, '192.0.2.4', T0)
    await hitLimit(db, crypto, limit, '192.0.2.5', T0)
    await clearLimit(db, crypto, limit, '192.0.2.4')
    expect(await checkLimit(db, crypto, limit, '192.0.2.4', T0)).toEqual({ limited: false })
    expect((await checkLimit(db, crypto, limit, '192.0.2.5', T0)).limited).toBe(true)
  })

  it('is shared by every process: two connections to one file count together', async () => {
    const limit = freshLimit(4)
    await hitLimit(db, crypto, limit, 'shared@example.jp', T0)
    await hitLimit(other, crypto, limit, 'shared@example.jp', T0)
    await hitLimit(db, crypto, limit, 'shared@example.jp', T0)
    expect(await checkLimit(other, crypto, limit, 'shared@example.jp', T0)).toEqual({ limited: false })
    expect(await hitLimit(other, crypto, limit, 'shared@example.jp', T0)).toEqual({ limited: false })
    expect((await checkLimit(db, crypto, limit, 'shared@example.jp', T0)).limited).toBe(true)
    expect((await hitLimit(other, crypto, limit, 'shared@example.jp', T0)).limited).toBe(true)
  })

  it('keeps separate counts per bucket for the same key', async () => {
    const first = freshLimit(1)
    const second = freshLimit(1)
    await hitLimit(db, crypto, first, '192.0.2.6', T0)
    expect((await checkLimit(db, crypto, first, '192.0.2.6', T0)).limited).toBe(true)
    expect(await checkLimit(db, crypto, second, '192.0.2.6', T0)).toEqual({ limited: false })
  })

  it('stores keys only as keyed hashes, never as typed', async () => {
    const email = 'plain.text.victim@example.co.jp'
    const ip = '203.0.113.77'
    const limit = freshLimit(3)
    await hitLimit(db, crypto, limit, email, T0)
    await hitLimit(other, crypto, limit, ip, T0)
    await hitLimit(db, crypto, limits.failuresPerIp, ip, T0)
    const rows = sqlite.$client
      .prepare('select key_index as keyIndex from rate_limit_counters where bucket = ?')
      .all(limit.bucket) as { keyIndex: Buffer }[]
    expect(rows).toHaveLength(2)
    for (const { keyIndex } of rows) expect(keyIndex).toHaveLength(16)
    // Whatever SQLite has written so far, in the file or still in its write-ahead log.
    sqlite.$client.pragma('wal_checkpoint(PASSIVE)')
    const bytes = Buffer.concat(
      [databasePath, `${databasePath}-wal`]
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path)),
    )
    expect(bytes.includes(limit.bucket)).toBe(true)
    for (const raw of [email, ip]) {
      expect(bytes.includes(raw)).toBe(false)
      expect(bytes.includes(Buffer.from(raw, 'utf16le'))).toBe(false)
    }
  })

  it('refuses exactly the hits that find the window already full (property)', async () => {
    const step = fc.record({
      key: fc.constantFrom('a@example.jp', 'b@example.jp', '198.51.100.1'),
      advance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 60 * 1000 })),
      check: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(step, { maxLength: 40 }),
        async (max, steps) => {
          const windowMs = 15 * 60 * 1000
          const limit = freshLimit(max, windowMs)
          const model = new Map<string, number>()
          let now = T0 + 123
          for (const { key, advance, check } of steps) {
            now += advance
            const window = `${key} ${Math.floor(now / windowMs)}`
            const before = model.get(window) ?? 0
            const result = check
              ? await checkLimit(db, crypto, limit, key, now)
              : await hitLimit(db, crypto, limit, key, now)
            if (!check) model.set(window, before + 1)
            if (before >= max) {
              const retryAt = (Math.floor(now / windowMs) + 1) * windowMs
              expect(result).toEqual({
                limited: true,
                retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)),
                retryAt: new Date(retryAt),
              })
            } else {
              expect(result).toEqual({ limited: false })
            }
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('the portal limits', () => {
  it('are five code e-mails per address an hour, ten failed sign-ins, and generous per IP by default', () => {
    expect(limits.emailCodesPerAddress).toMatchObject({ max: 5, windowMs: HOUR })
    expect(limits.signInFailuresPerAddress).toMatchObject({ max: 10, windowMs: HOUR })
    expect(limits.failuresPerIp).toMatchObject({ max: 100, windowMs: 15 * 60 * 1000 })
    expect(limits.checksPerIp).toMatchObject({ max: 300, windowMs: 15 * 60 * 1000 })
    expect(limits.failuresPerIpv6Block).toMatchObject({ max: 1000, windowMs: 15 * 60 * 1000 })
    expect(limits.checksPerIpv6Block).toMatchObject({ max: 3000, windowMs: 15 * 60 * 1000 })
    const buckets = Object.values(limits).map((limit) => limit.bucket)
    expect(new Set(buckets).size).toBe(buckets.length)
    expect(limits.emailCodesPerAddressPerDay).toMatchObject({ max: 10, windowMs: 24 * HOUR })
  })

  it('bound what one member account and one client can make the member pages do', () => {
    expect(limits.emailChangeCodesPerMember).toMatchObject({ max: 10, windowMs: HOUR })
    expect(limits.passwordTriesPerMember).toMatchObject({ max: 20, windowMs: 15 * 60 * 1000 })
    expect(limits.strengthChecksPerMember).toMatchObject({ max: 200, windowMs: 15 * 60 * 1000 })
    expect(limits.accountPostsPerIp).toMatchObject({ max: 600, windowMs: 15 * 60 * 1000 })
  })

  it('keep counters as long as the longest window, a day', () => {
    expect(longestLimitWindowMs(limits)).toBe(24 * HOUR)
  })

  it('take the per-IP maxima from the configuration', () => {
    const config = parseConfig({
      ...secrets(),
      IP_FAILURE_LIMIT: '7',
      IP_CHECK_LIMIT: '70',
      IP_ACCOUNT_LIMIT: '9',
      STAFF_SIGN_IN_IP_LIMIT: '11',
    })
    expect(limitsFrom(config)).toMatchObject({
      failuresPerIp: { max: 7 },
      checksPerIp: { max: 70 },
      accountPostsPerIp: { max: 9 },
      staffSignInsPerIp: { max: 11 },
    })
  })
})

describe('configuration', () => {
  it('trusts no proxy by default, and counts them when told', () => {
    expect(parseConfig(secrets())).toMatchObject({
      TRUST_PROXY: 0,
      IP_FAILURE_LIMIT: 100,
      IP_CHECK_LIMIT: 300,
      STAFF_SIGN_IN_IP_LIMIT: 60,
    })
    expect(parseConfig({ ...secrets(), NODE_ENV: 'test', TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
  })

  it.each([
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', 'yes'],
    ['IP_FAILURE_LIMIT', '0'],
    ['IP_CHECK_LIMIT', '1.5'],
    ['STAFF_SIGN_IN_IP_LIMIT', '0'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => parseConfig({ ...secrets(), [name]: value })).toThrow(new RegExp(`^${name}`))
  })

  it('gives Express false, not 0, for no proxy', () => {
    expect(trustProxySetting(0)).toBe(false)
    expect(trustProxySetting(1)).toBe(1)
  })
})

describe('the client IP', () => {
  it('is read from the load context, IPv4 through an IPv6 socket as plain IPv4', () => {
    expect(clientIp({ clientIp: '192.0.2.1' })).toBe('192.0.2.1')
    expect(clientIp({ clientIp: '::ffff:192.0.2.1' })).toBe('192.0.2.1')
    expect(clientIp({ clientIp: '2001:db8::1' })).toBe('2001:db8::1')
    expect(clientIp({ clientIp: 'unknown' })).toBe('unknown')
  })

  it('is limited per address for IPv4 and per /64 for IPv6', () => {
    expect(ipLimitKey('192.0.2.1')).toBe('192.0.2.1')
    expect(ipLimitKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64')
    expect(ipLimitKey('2001:0DB8:0001:0002::ffff')).toBe('2001:db8:1:2::/64')
    expect(ipLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(ipLimitKey('::1')).toBe('0:0:0:0::/64')
    expect(ipLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(ipLimitKey('::ffff:192.0.2.1')).toBe('0:0:0:0::/64')
    expect(ipLimitKey('unknown')).toBe('unknown')
  })

  it('counts an IPv6 client under its /48 as well, an IPv4 one under nothing more', () => {
    expect(ipBlockLimitKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1::/48')
    expect(ipBlockLimitKey('2001:0DB8:0001:ffff::1')).toBe('2001:db8:1::/48')
    expect(ipBlockLimitKey('2001:db8::1')).toBe('2001:db8:0::/48')
    expect(ipBlockLimitKey('192.0.2.1')).toBeUndefined()
    expect(ipBlockLimitKey('unknown')).toBeUndefined()
  })
})

describe('a refused request', () => {
  it('is a 429 with Retry-After and the moment to come back', () => {
    const retryAt = new Date(T0 + HOUR)
    const response = tooManyRequests({ retryAfterSeconds: 1200, retryAt }, { email: 'typed@example.jp' })
    expect(response.init?.status).toBe(429)
    const headers = new Headers(response.init?.headers)
    expect(headers.get('retry-after')).toBe('1200')
    expect(headers.get('cache-control')).toBe('no-store')
    expect(response.data).toEqual({
      email: 'typed@example.jp',
      rateLimited: { retryAt: '2026-04-23T02:00:00.000Z' },
    })
    expect(tooManyRequests({ retryAfterSeconds: 5, retryAt }).data).toEqual({
      rateLimited: { retryAt: retryAt.toISOString() },
    })
  })

  it.each([
    ['ja', '試行回数が上限に達しました。日本時間 2026年4月23日 11:00 以降にもう一度お試しください。'],
    ['en', 'Too many attempts. Please try again after 23 April 2026, 11:00 (Japan time).'],
  ])('is explained in %s, in Japan time', async (language, text) => {
    const i18n = createInstance()
    await i18n.use(initReactI18next).init({ ...i18nConfig, lng: language, resources })
    const html = renderToString(
      createElement(
        I18nextProvider,
        { i18n },
        createElement(RateLimitedNotice, { retryAt: new Date(T0 + HOUR).toISOString() }),
      ),
    )
    expect(html).toContain(text)
    expect(html).toContain('role="alert"')
  })
})

function secrets() {
  return {
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORTAL_DATA_KEY: randomBytes(32).toString('base64'),
    PORTAL_INDEX_KEY: randomBytes(32).toString('base64'),
    AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
  }
}
