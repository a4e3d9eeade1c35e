import { type PortalDatabase, prepared } from './database'

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
export async function countInWindow(
  db: PortalDatabase,
  { bucket, keyIndex, windowMs, now }: CounterWindow,
): Promise<number> {
  // Statements prepared once (every POST asks): a query builder's prepare each time cost more than the lookup.
  const count = await prepared(
    db,
    'select count from rate_limit_counters where bucket = ? and key_index = ? and window_start = ?',
  ).value<number>(bucket, keyIndex, windowStartOf(now, windowMs))
  return count ?? 0
}

/**
 * Counts one hit and returns the window's count after it. One statement, so
 * two processes hitting at once both count and each sees a different total.
 */
export async function recordHit(
  db: PortalDatabase,
  { bucket, keyIndex, windowMs, now }: CounterWindow,
): Promise<number> {
  // The old count qualified by its table: PostgreSQL would find a bare `count` ambiguous there.
  const count = await prepared(
    db,
    `insert into rate_limit_counters (bucket, key_index, window_start, count) values (?, ?, ?, 1)
     on conflict (bucket, key_index, window_start) do update set count = rate_limit_counters.count + 1
     returning count`,
  ).value<number>(bucket, keyIndex, windowStartOf(now, windowMs))
  return count as number
}

/** Forgets every window of one key, e.g. once its owner has proved who they are. */
export async function clearHits(db: PortalDatabase, { bucket, keyIndex }: CounterKey): Promise<number> {
  const cleared = await prepared(
    db,
    'delete from rate_limit_counters where bucket = ? and key_index = ?',
  ).run(bucket, keyIndex)
  return cleared.changes
}

/** Drops windows that began before `before` (ms); returns how many rows went. */
export async function deleteOldWindows(db: PortalDatabase, before: number): Promise<number> {
  const deleted = await prepared(db, 'delete from rate_limit_counters where window_start < ?').run(before)
  return deleted.changes
}
