import { type PortalDatabase, prepared } from './database'
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

export async function createSession(db: PortalDatabase, session: NewSession) {
  await prepared(
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

export async function findSession(db: PortalDatabase, idHash: Buffer): Promise<StoredSession | undefined> {
  const row = await prepared<Omit<StoredSession, 'challenge'> & { challenge: string | null }>(
    db,
    `
      select kind, human_id as "humanId", challenge,
        created_at as "createdAt", last_seen_at as "lastSeenAt", expires_at as "expiresAt"
      from sessions where id_hash = ?`,
  ).get(idHash)
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
export async function touchSession(
  db: PortalDatabase,
  { idHash, now, expiresAt }: { idHash: Buffer; now: number; expiresAt: number },
): Promise<boolean> {
  const touched = await db.$runner.runUnlessBusy(
    'update sessions set last_seen_at = ?, expires_at = ? where id_hash = ?',
    [now, expiresAt, idHash],
  )
  return touched !== undefined
}

/** The visitor proved who they are; the pending challenge is spent with it. */
export async function setSessionHuman(
  db: PortalDatabase,
  { idHash, humanId }: { idHash: Buffer; humanId: number },
) {
  await prepared(db, 'update sessions set human_id = ?, challenge = null where id_hash = ?').run(
    humanId,
    idHash,
  )
}

export async function setSessionChallenge(
  db: PortalDatabase,
  { idHash, challenge }: { idHash: Buffer; challenge: unknown },
) {
  await prepared(db, 'update sessions set challenge = ? where id_hash = ?').run(
    challengeJson(challenge),
    idHash,
  )
}

export async function clearSessionChallenge(db: PortalDatabase, idHash: Buffer) {
  await prepared(db, 'update sessions set challenge = null where id_hash = ?').run(idHash)
}

export async function deleteSession(db: PortalDatabase, idHash: Buffer) {
  await prepared(db, 'delete from sessions where id_hash = ?').run(idHash)
}

/** "Sign out everywhere else": every session of the human but the one in use. */
export async function deleteOtherSessionsOfHuman(
  db: PortalDatabase,
  { humanId, keepIdHash }: { humanId: number; keepIdHash: Buffer },
) {
  const deleted = await prepared(db, 'delete from sessions where human_id = ? and id_hash != ?').run(
    humanId,
    keepIdHash,
  )
  return deleted.changes
}

/** Sessions nobody can use any more; returns how many went. */
export async function deleteExpiredSessions(db: PortalDatabase, now: number) {
  return (await prepared(db, 'delete from sessions where expires_at <= ?').run(now)).changes
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
