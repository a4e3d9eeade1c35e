import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createSessionStore,
  endSession,
  getCustomerSession,
  requireVerifiedHuman,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  type SessionStore,
  saveChallenge,
  startVerifiedSession,
} from '~/session/session.server'
import { getDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { deleteExpiredSessions, deleteOtherSessionsOfHuman } from '~db/sessions'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'

const START = Date.UTC(2026, 1, 20, 9, 0, 0)
const MINUTE = 60 * 1000
const CHALLENGE = { type: 'email', targetIndex: 'c2VjcmV0LWhhc2g' }

let directory: string
let databasePath: string
let database: SqliteDatabase
/** The same connection as the store uses it. */
let portal: PortalDatabase
let clock: number
let store: SessionStore

const request = (cookie?: string) =>
  new Request('http://localhost:3000/exposure', { headers: cookie ? { Cookie: cookie } : {} })

/** The `name=value` a browser would send back for a Set-Cookie header. */
const cookieOf = (setCookie: string | undefined) => {
  if (!setCookie) throw new Error('expected a Set-Cookie header')
  return setCookie.split(';')[0] as string
}

const countSessions = () =>
  (database.$client.prepare('select count(*) as count from sessions').get() as { count: number }).count

function addHuman(id: number, db = database) {
  db.$client
    .prepare(`
      insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
      values (?, ?, 'member', ?, 0, x'00')`)
    .run(id, id, Buffer.from(`natural-${id}`))
}

function storeFor(isProduction: boolean) {
  return createSessionStore({
    db: portal,
    secrets: [testSecrets().SESSION_SECRET],
    isProduction,
    now: () => clock,
  })
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'portal-sessions-'))
  databasePath = join(directory, 'portal.db')
  database = openMigratedDatabase(databasePath)
  portal = sqlitePortalDatabase(database)
  addHuman(1)
  addHuman(2)
})

afterAll(() => {
  database.$client.close()
  rmSync(directory, { recursive: true, force: true })
})

beforeEach(() => {
  database.$client.prepare('delete from sessions').run()
  clock = START
  store = storeFor(false)
})

describe('a visitor without a session', () => {
  it('has none: no cookie, an unknown ID or a malformed one', async () => {
    expect(await store.getCustomerSession(request())).toBeNull()
    expect(await store.getCustomerSession(request(`portal_session=${'A'.repeat(43)}`))).toBeNull()
    expect(await store.getCustomerSession(request('portal_session=short'))).toBeNull()
    await expect(store.requireVerifiedHuman(request())).rejects.toBeInstanceOf(Response)
  })

  it('gets an unverified session holding the challenge, with a cookie of the right attributes', async () => {
    const { setCookie } = await store.saveChallenge(request(), CHALLENGE)
    expect(setCookie).toMatch(
      /^portal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    )
    const maxAge = Number(setCookie?.match(/Max-Age=(\d+)/)?.[1])
    expect(maxAge).toBeGreaterThan(0)
    expect(maxAge).toBeLessThanOrEqual(SESSION_ABSOLUTE_MS / 1000)
    expect(setCookie).not.toMatch(/Secure|Domain/)
    expect(await store.getCustomerSession(request(cookieOf(setCookie)))).toEqual({
      humanId: null,
      challenge: CHALLENGE,
    })
    expect(countSessions()).toBe(1)
  })

  it('keeps its session for the next challenge: no new cookie, the challenge replaced', async () => {
    const cookie = cookieOf((await store.saveChallenge(request(), CHALLENGE)).setCookie)
    expect(await store.saveChallenge(request(cookie), { type: 'letter' })).toEqual({})
    expect(await store.getCustomerSession(request(cookie))).toEqual({
      humanId: null,
      challenge: { type: 'letter' },
    })
    expect(countSessions()).toBe(1)
  })

  it('gets the 403 page that leads to the check while unverified', async () => {
    const cookie = cookieOf((await store.saveChallenge(request(), CHALLENGE)).setCookie)
    let thrown: unknown
    try {
      await store.requireVerifiedHuman(request(cookie))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Response)
    expect((thrown as Response).status).toBe(403)
    expect((thrown as Response).headers.get('Location')).toBeNull()
    expect(await (thrown as Response).json()).toMatchObject({ sessionEnded: { way: null, ended: true } })
  })
})

describe('in production', () => {
  it('names the cookie __Host-portal_session and marks it Secure, host-only, for the whole site', async () => {
    const production = storeFor(true)
    const setCookie = (await production.saveChallenge(request(), CHALLENGE)).setCookie
    expect(setCookie).toMatch(
      /^__Host-portal_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/,
    )
    expect(setCookie).not.toContain('Domain')
    expect(await production.getCustomerSession(request(cookieOf(setCookie)))).toEqual({
      humanId: null,
      challenge: CHALLENGE,
    })
    const verified = await production.startVerifiedSession(request(cookieOf(setCookie)), 1)
    expect(verified).toMatch(/^__Host-portal_session=[A-Za-z0-9_-]{43};.* Secure/)
    expect(await production.endSession(request(cookieOf(verified)))).toMatch(
      /^__Host-portal_session=; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=0/,
    )
  })
})

describe('verification', () => {
  it('rotates the session: a new ID, the old cookie worthless, the challenge spent', async () => {
    const before = cookieOf((await store.saveChallenge(request(), CHALLENGE)).setCookie)
    const after = cookieOf(await store.startVerifiedSession(request(before), 1))
    expect(after).not.toBe(before)
    expect(await store.getCustomerSession(request(before))).toBeNull()
    expect(await store.getCustomerSession(request(after))).toEqual({ humanId: 1, challenge: null })
    expect(await store.requireVerifiedHuman(request(after))).toBe(1)
    expect(countSessions()).toBe(1)
  })

  it('starts a verified session for a visitor who had none', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 2))
    expect(await store.requireVerifiedHuman(request(cookie))).toBe(2)
  })
})

describe('expiry', () => {
  it('ends a session idle for 30 minutes, and each visit restarts the idle clock', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 1))
    clock += SESSION_IDLE_MS - 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
    clock += SESSION_IDLE_MS - 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
    clock += SESSION_IDLE_MS
    expect(await store.getCustomerSession(request(cookie))).toBeNull()
    expect(countSessions()).toBe(0)
    // Once gone, it stays gone, whatever the clock says afterwards.
    clock -= MINUTE
    expect(await store.getCustomerSession(request(cookie))).toBeNull()
  })

  it('restarts the idle clock at most once a minute, so a page view rarely writes', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 1))
    const lastSeen = () =>
      (database.$client.prepare('select last_seen_at as at from sessions').get() as { at: number }).at
    clock += MINUTE - 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
    expect(lastSeen()).toBe(START)
    clock += 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
    expect(lastSeen()).toBe(START + MINUTE)
    // The idle limit counts from the last restart: a minute early at the most.
    clock = START + MINUTE + SESSION_IDLE_MS - 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
  })

  it('leaves the idle clock for the next page while another process holds the write lock, without waiting', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 1))
    const lastSeen = () =>
      (database.$client.prepare('select last_seen_at as at from sessions').get() as { at: number }).at
    const busyTimeout = () => Number(database.$client.pragma('busy_timeout', { simple: true }))
    const timeoutBefore = busyTimeout()
    expect(timeoutBefore).toBeGreaterThan(0)
    // A batch of keys:rotate, as another process runs it: the write lock held.
    const other = new Database(databasePath)
    other.prepare('begin immediate').run()
    try {
      clock += MINUTE
      const started = performance.now()
      expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
      // SQLite's busy handler would have waited its full timeout (seconds) for the lock.
      expect(performance.now() - started).toBeLessThan(timeoutBefore / 2)
      expect(lastSeen()).toBe(START)
      expect(busyTimeout()).toBe(timeoutBefore)
    } finally {
      other.prepare('rollback').run()
      other.close()
    }
    clock += 1
    expect(await store.getCustomerSession(request(cookie))).toEqual({ humanId: 1, challenge: null })
    expect(lastSeen()).toBe(START + MINUTE + 1)
  })

  it('ends a session 12 hours after it began, however active', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 1))
    const end = START + SESSION_ABSOLUTE_MS
    for (clock = START; clock < end; clock += 20 * MINUTE) {
      expect(await store.requireVerifiedHuman(request(cookie))).toBe(1)
    }
    clock = end - 1
    expect(await store.requireVerifiedHuman(request(cookie))).toBe(1)
    clock = end
    expect(await store.getCustomerSession(request(cookie))).toBeNull()
    expect(countSessions()).toBe(0)
  })

  it('sweeps rows nobody can use any more, and keeps the rest', async () => {
    const stale = cookieOf(await store.startVerifiedSession(request(), 1))
    clock += 10 * MINUTE
    const fresh = cookieOf(await store.startVerifiedSession(request(), 2))
    clock = START + SESSION_IDLE_MS
    expect(await deleteExpiredSessions(portal, clock)).toBe(1)
    expect(await store.getCustomerSession(request(fresh))).toEqual({ humanId: 2, challenge: null })
    expect(await store.getCustomerSession(request(stale))).toBeNull()
  })
})

describe('signing out', () => {
  it('deletes the session and clears the cookie', async () => {
    const cookie = cookieOf(await store.startVerifiedSession(request(), 1))
    const cleared = await store.endSession(request(cookie))
    expect(cleared).toMatch(
      /^portal_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970/,
    )
    expect(await store.getCustomerSession(request(cookie))).toBeNull()
    expect(countSessions()).toBe(0)
    expect(await store.endSession(request())).toBe(cleared)
  })

  it('can end every other session of the human', async () => {
    const kept = cookieOf(await store.startVerifiedSession(request(), 1))
    const other = cookieOf(await store.startVerifiedSession(request(), 1))
    const someoneElse = cookieOf(await store.startVerifiedSession(request(), 2))
    const keptHash = database.$client
      .prepare('select id_hash as idHash from sessions where human_id = 1 order by rowid limit 1')
      .get() as { idHash: Buffer }
    expect(await deleteOtherSessionsOfHuman(portal, { humanId: 1, keepIdHash: keptHash.idHash })).toBe(1)
    expect(await store.requireVerifiedHuman(request(kept))).toBe(1)
    expect(await store.getCustomerSession(request(other))).toBeNull()
    expect(await store.requireVerifiedHuman(request(someoneElse))).toBe(2)
  })
})

describe('at rest', () => {
  it('keeps only a keyed hash of each session ID, never the ID', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const cookie = cookieOf((await store.saveChallenge(request(), CHALLENGE)).setCookie)
      ids.push(cookie.slice('portal_session='.length))
      ids.push(cookieOf(await store.startVerifiedSession(request(cookie), 1)).slice('portal_session='.length))
    }
    const files = [databasePath, `${databasePath}-wal`, `${databasePath}-shm`].filter((path) =>
      existsSync(path),
    )
    const bytes = Buffer.concat(files.map((path) => readFileSync(path)))
    expect(bytes.length).toBeGreaterThan(0)
    for (const id of ids) {
      expect(bytes.includes(Buffer.from(id))).toBe(false)
      expect(bytes.includes(Buffer.from(id, 'base64url'))).toBe(false)
    }
    const hashes = database.$client.prepare('select id_hash as idHash from sessions').all() as {
      idHash: Buffer
    }[]
    expect(hashes).toHaveLength(5)
    for (const { idHash } of hashes) {
      expect(idHash).toHaveLength(32)
      // The search itself works: what is stored is found in the same bytes.
      expect(bytes.includes(idHash)).toBe(true)
    }
  })
})

describe('the request-bound functions', () => {
  it('use the configured database and secret', async () => {
    // unit-setup points DATABASE_URL at an in-memory database: give it the schema.
    const configured = getDatabase(':memory:')
    migrateDatabase(configured)
    addHuman(7, configured)
    const { setCookie } = await saveChallenge(request(), CHALLENGE)
    const cookie = cookieOf(setCookie)
    expect(await getCustomerSession(request(cookie))).toEqual({ humanId: null, challenge: CHALLENGE })
    const verified = cookieOf(await startVerifiedSession(request(cookie), 7))
    expect(await getCustomerSession(request(cookie))).toBeNull()
    expect(await requireVerifiedHuman(request(verified))).toBe(7)
    expect(await endSession(request(verified))).toMatch(/^portal_session=;/)
    expect(await getCustomerSession(request(verified))).toBeNull()
    await expect(requireVerifiedHuman(request(verified))).rejects.toBeInstanceOf(Response)
  })
})

describe('a new session secret put first, the old one kept after it', () => {
  const [oldSecret, newSecret] = [testSecrets().SESSION_SECRET, testSecrets().SESSION_SECRET]
  const storeWith = (...secrets: [string, ...string[]]) =>
    createSessionStore({ db: portal, secrets, isProduction: false, now: () => clock })

  it('keeps the sessions begun under the old one, and begins new ones under the new one', async () => {
    const before = cookieOf(await storeWith(oldSecret).startVerifiedSession(request(), 1))
    const rotated = storeWith(newSecret, oldSecret)
    expect((await rotated.getCustomerSession(request(before)))?.humanId).toBe(1)
    const after = cookieOf(await rotated.startVerifiedSession(request(), 2))
    // The new session needs only the new secret; the old one, once retired, opens nothing.
    expect((await storeWith(newSecret).getCustomerSession(request(after)))?.humanId).toBe(2)
    expect(await storeWith(newSecret).getCustomerSession(request(before))).toBeNull()
    expect(await storeWith(oldSecret).getCustomerSession(request(after))).toBeNull()
  })

  it('ends a session begun under the old one, and replaces it on sign-in', async () => {
    const before = cookieOf(await storeWith(oldSecret).startVerifiedSession(request(), 1))
    const rotated = storeWith(newSecret, oldSecret)
    const replaced = cookieOf(await rotated.startVerifiedSession(request(before), 1))
    expect(await rotated.getCustomerSession(request(before))).toBeNull()
    expect(countSessions()).toBe(1)
    await rotated.endSession(request(replaced))
    expect(countSessions()).toBe(0)
  })
})
