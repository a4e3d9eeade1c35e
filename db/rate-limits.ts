import { and, eq, lt } from 'drizzle-orm'
import { type SqliteDatabase, sqliteStatement } from './client'
import { rateLimitCounters } from './schema'

/**
 * Hit counters in fixed windows aligned to the window length (an hour-long
 * window starts on the hour), kept in the database so that every process of
 * the portal counts into the same row. The key is a keyed hash of what is
 * limited (an address, an IP), never the thing itself.
 */

export type CounterKey = { bucket: string; keyIndex: Buffer }
export type CounterWindow = CounterKey & { windowMs: number; now: number }

/** When the window holding `now` began. */
export function windowStartOf(now: number, windowMs: number) {
  return Math.floor(now / windowMs) * windowMs
}

/** Hits counted so far in the window holding `now`. */
export function countInWindow(
  db: SqliteDatabase,
  { bucket, keyIndex, windowMs, now }: CounterWindow,
): number {
  // Statements prepared once (every POST asks): a query builder's prepare each time cost more than the lookup.
  const count = sqliteStatement(
    db,
    'select count from rate_limit_counters where bucket = ? and key_index = ? and window_start = ?',
  )
    .pluck()
    .get(bucket, keyIndex, windowStartOf(now, windowMs)) as number | undefined
  return count ?? 0
}

/**
 * Counts one hit and returns the window's count after it. One statement, so
 * two processes hitting at once both count and each sees a different total.
 */
export function recordHit(db: SqliteDatabase, { bucket, keyIndex, windowMs, now }: CounterWindow): number {
  return sqliteStatement(
    db,
    `insert into rate_limit_counters (bucket, key_index, window_start, count) values (?, ?, ?, 1)
     on conflict (bucket, key_index, window_start) do update set count = count + 1
     returning count`,
  )
    .pluck()
    .get(bucket, keyIndex, windowStartOf(now, windowMs)) as number
}

/** Forgets every window of one key, e.g. once its owner has proved who they are. */
export function clearHits(db: SqliteDatabase, { bucket, keyIndex }: CounterKey): number {
  return db
    .delete(rateLimitCounters)
    .where(and(eq(rateLimitCounters.bucket, bucket), eq(rateLimitCounters.keyIndex, keyIndex)))
    .run().changes
}

/** Drops windows that began before `before` (ms); returns how many rows went. */
export function deleteOldWindows(db: SqliteDatabase, before: number): number {
  return db
    .delete(rateLimitCounters)
    .where(lt(rateLimitCounters.windowStart, new Date(before)))
    .run().changes
}
