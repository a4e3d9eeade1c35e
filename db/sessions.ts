import { type SqliteDatabase, sqliteStatement } from './client'
import type { Session } from './schema'

/**
 * Server-side sessions. A row is found by the keyed hash of the random ID the
 * cookie carries, so the database alone cannot be replayed as cookies.
 * `expires_at` is when the row dies, whichever of its idle and absolute limits
 * comes first; the caller computes it, this module only keeps it.
 */

export type SessionKind = Session['kind']

/**
 * Not the schema's row type alone: the hand-written select returns times as
 * epoch milliseconds (drizzle's `timestamp_ms` columns would give Dates), and
 * the challenge comes back parsed.
 */
export type StoredSession = Pick<Session, 'kind' | 'humanId'> & {
  /** What the visitor is in the middle of proving, as it was saved (keyed hashes; anything personal sealed). */
  challenge: unknown | null
  createdAt: number
  lastSeenAt: number
  expiresAt: number
}

export type NewSession = {
  idHash: Buffer
  kind: SessionKind
  humanId?: number | null
  challenge?: unknown
  now: number
  expiresAt: number
}

export function createSession(db: SqliteDatabase, session: NewSession) {
  sqliteStatement(
    db,
    `
      insert into sessions (id_hash, kind, human_id, challenge, created_at, last_seen_at, expires_at)
      values (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    session.idHash,
    session.kind,
    session.humanId ?? null,
    challengeJson(session.challenge),
    session.now,
    session.now,
    session.expiresAt,
  )
}

export function findSession(db: SqliteDatabase, idHash: Buffer): StoredSession | undefined {
  const row = sqliteStatement(
    db,
    `
      select kind, human_id as humanId, challenge,
        created_at as createdAt, last_seen_at as lastSeenAt, expires_at as expiresAt
      from sessions where id_hash = ?`,
  ).get(idHash) as (Omit<StoredSession, 'challenge'> & { challenge: string | null }) | undefined
  if (!row) return undefined
  return { ...row, challenge: parseChallenge(row.challenge) }
}

/**
 * The visitor came back: the idle clock restarts (within the absolute limit
 * the caller applied), unless another process holds the write lock this
 * instant; returns whether it restarted. Waiting would block the whole web
 * process, better-sqlite3 being synchronous: behind a batch of `keys:rotate`
 * or the importer, for the batch and SQLite's busy-sleep steps (up to 33 ms
 * for a 30 ms batch), with every request the process holds. The clock can
 * wait for the visitor's next page instead. Inside a transaction, whose lock
 * is the caller's business, it restarts as any write does.
 */
export function touchSession(
  db: SqliteDatabase,
  { idHash, now, expiresAt }: { idHash: Buffer; now: number; expiresAt: number },
): boolean {
  const touch = () =>
    sqliteStatement(db, 'update sessions set last_seen_at = ?, expires_at = ? where id_hash = ?').run(
      now,
      expiresAt,
      idHash,
    )
  const sqlite = db.$client
  if (sqlite.inTransaction) {
    touch()
    return true
  }
  const busyTimeout = sqlite.pragma('busy_timeout', { simple: true })
  sqlite.pragma('busy_timeout = 0')
  try {
    touch()
    return true
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false
    throw error
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`)
  }
}

/** The visitor proved who they are; the pending challenge is spent with it. */
export function setSessionHuman(
  db: SqliteDatabase,
  { idHash, humanId }: { idHash: Buffer; humanId: number },
) {
  sqliteStatement(db, 'update sessions set human_id = ?, challenge = null where id_hash = ?').run(
    humanId,
    idHash,
  )
}

export function setSessionChallenge(
  db: SqliteDatabase,
  { idHash, challenge }: { idHash: Buffer; challenge: unknown },
) {
  sqliteStatement(db, 'update sessions set challenge = ? where id_hash = ?').run(
    challengeJson(challenge),
    idHash,
  )
}

export function clearSessionChallenge(db: SqliteDatabase, idHash: Buffer) {
  sqliteStatement(db, 'update sessions set challenge = null where id_hash = ?').run(idHash)
}

export function deleteSession(db: SqliteDatabase, idHash: Buffer) {
  sqliteStatement(db, 'delete from sessions where id_hash = ?').run(idHash)
}

/** "Sign out everywhere else": every session of the human but the one in use. */
export function deleteOtherSessionsOfHuman(
  db: SqliteDatabase,
  { humanId, keepIdHash }: { humanId: number; keepIdHash: Buffer },
) {
  return sqliteStatement(db, 'delete from sessions where human_id = ? and id_hash != ?').run(
    humanId,
    keepIdHash,
  ).changes
}

/** Sessions nobody can use any more; returns how many went. */
export function deleteExpiredSessions(db: SqliteDatabase, now: number) {
  return sqliteStatement(db, 'delete from sessions where expires_at <= ?').run(now).changes
}

function challengeJson(challenge: unknown) {
  return challenge === undefined || challenge === null ? null : JSON.stringify(challenge)
}

// A row written by an older release with a shape nobody reads any more counts as no challenge.
function parseChallenge(json: string | null): unknown | null {
  if (json === null) return null
  try {
    return JSON.parse(json) as unknown
  } catch {
    return null
  }
}
