import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { disableStaffMember, resetStaffMfa } from '~/staff/staff-accounts.server'
import {
  createStaffSessionStore,
  STAFF_SESSION_ABSOLUTE_MS,
  STAFF_SESSION_IDLE_MS,
} from '~/staff/staff-session.server'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { insertStaffMember } from '~db/staff-members'
import { deleteStaffSessionsOf } from '~db/staff-sessions'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'

const START = Date.UTC(2026, 11, 4, 0, 0, 0)
const MINUTE = 60 * 1000
const STAFF_ID = 'S0000000001'
const EMAIL = 'desk.one@example.jp'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase
let crypto: PortalCrypto
let clock: number
const secrets = testSecrets()

const request = (cookie?: string) =>
  new Request('http://localhost:3000/staff', { headers: cookie ? { Cookie: cookie } : {} })
const cookieOf = (setCookie: string) => setCookie.split(';')[0] as string

const storeFor = (isProduction: boolean) =>
  createStaffSessionStore({ db, secrets: [secrets.SESSION_SECRET], isProduction, now: () => clock })

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'staff-session-'))
  sqlite = openMigratedDatabase(join(directory, 'portal.db'))
  db = sqlitePortalDatabase(sqlite)
  crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  clock = START
  await insertStaffMember(db, crypto, {
    id: STAFF_ID,
    email: { shown: EMAIL, matched: EMAIL },
    name: 'Desk One',
    role: 'agent',
    // Never verified here: the sessions do not look at the password.
    enrolmentPasswordHash: 'not-a-hash',
    enrolmentExpiresAt: new Date(START + 24 * 60 * MINUTE),
    now: new Date(START),
  })
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

describe('staff sessions', async () => {
  it('use their own cookie: __Host- and Secure in production, SameSite=Strict, HttpOnly', async () => {
    const production = await storeFor(true).start({ request: request(), staffId: STAFF_ID })
    expect(production).toMatch(
      /^__Host-portal_staff=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure/,
    )
    const development = await storeFor(false).start({ request: request(), staffId: STAFF_ID })
    expect(development).toMatch(/^portal_staff=/)
    expect(development).toMatch(/SameSite=Strict/)
    expect(development).not.toMatch(/Secure/)
  })

  it('are not customer sessions: a customer cookie of the same value is no staff session', async () => {
    const store = storeFor(false)
    const cookie = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    expect((await store.live(request(cookie)))?.staffId).toBe(STAFF_ID)
    expect(await store.live(request(cookie.replace('portal_staff', 'portal_session')))).toBeUndefined()
  })

  it('end after 15 minutes idle, and each request restarts the idle clock', async () => {
    const store = storeFor(false)
    const cookie = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    clock += STAFF_SESSION_IDLE_MS - MINUTE
    expect(await store.live(request(cookie))).toBeDefined()
    clock += STAFF_SESSION_IDLE_MS - MINUTE
    expect(await store.live(request(cookie))).toBeDefined()
    clock += STAFF_SESSION_IDLE_MS
    expect(await store.live(request(cookie))).toBeUndefined()
    // Deleted on sight: going back in time does not revive it.
    clock = START
    expect(await store.live(request(cookie))).toBeUndefined()
  })

  it('end after 8 hours however active', async () => {
    const store = storeFor(false)
    const cookie = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    while (clock + 10 * MINUTE < START + STAFF_SESSION_ABSOLUTE_MS) {
      clock += 10 * MINUTE
      expect(await store.live(request(cookie))).toBeDefined()
    }
    clock = START + STAFF_SESSION_ABSOLUTE_MS
    expect(await store.live(request(cookie))).toBeUndefined()
  })

  it('end at sign-out, and every one of the member ends but the kept one on a password change', async () => {
    const store = storeFor(false)
    const first = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    const second = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    const kept = await store.live(request(second))
    if (!kept) throw new Error('expected a live session')
    expect(await deleteStaffSessionsOf(db, { staffId: STAFF_ID, keepIdHash: kept.idHash })).toBe(1)
    expect(await store.live(request(first))).toBeUndefined()
    expect(await store.live(request(second))).toBeDefined()
    expect(await store.end(request(second))).toMatch(/^portal_staff=; .*Max-Age=0/)
    expect(await store.live(request(second))).toBeUndefined()
  })

  it('begun under a secret kept after a new one go on, and end at sign-out; new ones need only the new secret', async () => {
    const newSecret = testSecrets().SESSION_SECRET
    const storeWith = (...list: [string, ...string[]]) =>
      createStaffSessionStore({ db, secrets: list, isProduction: false, now: () => clock })
    const before = cookieOf(await storeFor(false).start({ request: request(), staffId: STAFF_ID }))
    const rotated = storeWith(newSecret, secrets.SESSION_SECRET)
    expect((await rotated.live(request(before)))?.staffId).toBe(STAFF_ID)
    const after = cookieOf(await rotated.start({ request: request(), staffId: STAFF_ID }))
    expect((await storeWith(newSecret).live(request(after)))?.staffId).toBe(STAFF_ID)
    expect(await storeWith(newSecret).live(request(before))).toBeUndefined()
    await rotated.end(request(before))
    expect(await rotated.live(request(before))).toBeUndefined()
    expect(await rotated.live(request(after))).toBeDefined()
  })

  it('end when the account is disabled or its MFA reset', async () => {
    const store = storeFor(false)
    const actor = { kind: 'system', via: 'command' } as const
    const beforeReset = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    await resetStaffMfa({ db, crypto, actor, email: EMAIL })
    expect(await store.live(request(beforeReset))).toBeUndefined()
    const beforeDisable = cookieOf(await store.start({ request: request(), staffId: STAFF_ID }))
    await disableStaffMember({ db, crypto, actor, email: EMAIL })
    expect(await store.live(request(beforeDisable))).toBeUndefined()
  })
})
