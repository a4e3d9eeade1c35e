import { eq, sql } from 'drizzle-orm'
import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared, withTransaction } from './database'
import { letterCodeUses, notifications } from './schema'

/**
 * Letter codes as the identity check sees them: the notification a code's
 * keyed hash finds, its failures, and whether it is locked. A code keeps
 * working for repeated visits (each use a row of `letter_code_uses`) until
 * the configured last day; a locked one stays locked until staff reset it.
 */

export type LetterCodeHolder = { notificationId: number; humanId: number; failures: number; locked: boolean }

/** The issued notice a typed code's digests (under the current index key and the previous one) find. */
export async function findLetterCodeHolder(
  db: PortalDatabase,
  letterCodeDigests: LookupDigests,
): Promise<LetterCodeHolder | undefined> {
  const row = await prepared<{ id: number; humanId: number; failures: number; lockedAt: number | null }>(
    db,
    `
      select id, human_id as "humanId", letter_code_failures as failures, letter_code_locked_at as "lockedAt"
      from notifications where letter_code_index in (?, ?) and state = 'issued'`,
  ).get(...letterCodeDigests)
  if (!row) return undefined
  return {
    notificationId: row.id,
    humanId: row.humanId,
    failures: row.failures,
    locked: row.lockedAt !== null,
  }
}

/** One more wrong second factor; at `lockAfter` the code locks. */
export async function recordLetterCodeFailure(
  db: PortalDatabase,
  notificationId: number,
  { lockAfter, now }: { lockAfter: number; now: number },
) {
  await prepared(
    db,
    `
      update notifications set
        letter_code_failures = letter_code_failures + 1,
        letter_code_locked_at = case when letter_code_failures + 1 >= ? then coalesce(letter_code_locked_at, ?)
                                     else letter_code_locked_at end
      where id = ?`,
  ).run(lockAfter, now, notificationId)
}

/**
 * One successful use: recorded for the case, and the wrong second factors
 * before it forgiven (the lock counts failures in a row, as NIST SP 800-63B's
 * limit does), so a person who mistypes now and then over months is not
 * locked out of their own page.
 */
export async function recordLetterCodeUse(db: PortalDatabase, notificationId: number, now: number) {
  await withTransaction(db, async (tx) => {
    // Columns named: drizzle's insert would send NULL for the ID, which PostgreSQL does not generate from.
    await prepared(tx, 'insert into letter_code_uses (notification_id, used_at) values (?, ?)').run(
      notificationId,
      now,
    )
    await tx
      .update(notifications)
      .set({
        letterCodeFailures: 0,
        letterCodeUsedAt: sql`coalesce(${notifications.letterCodeUsedAt}, ${now})`,
      })
      .where(eq(notifications.id, notificationId))
      .run()
  })
}

/** When a notice's letter code was used, oldest first (for the case, and the staff console to come). */
export async function listLetterCodeUses(db: PortalDatabase, notificationId: number): Promise<Date[]> {
  const uses = await db
    .select({ usedAt: letterCodeUses.usedAt })
    .from(letterCodeUses)
    .where(eq(letterCodeUses.notificationId, notificationId))
    .orderBy(letterCodeUses.usedAt, letterCodeUses.id)
    .all()
  return uses.map((row) => row.usedAt)
}

/** Staff lift a lock (issue of the support console); the count starts again. */
export async function unlockLetterCode(db: PortalDatabase, notificationId: number) {
  await prepared(
    db,
    'update notifications set letter_code_failures = 0, letter_code_locked_at = null where id = ?',
  ).run(notificationId)
}
