import { type PortalDatabase, prepared } from './client'

/**
 * Letter codes as the identity check sees them: the notification a code's
 * keyed hash finds, its failures, and whether it is still alive. A used code
 * loses its hash, so it can never be found again; a locked one stays locked
 * until staff reset it.
 */

export type LetterCodeHolder = { notificationId: number; humanId: number; failures: number; locked: boolean }

export function findLetterCodeHolder(
  db: PortalDatabase,
  letterCodeIndex: Buffer,
): LetterCodeHolder | undefined {
  const row = prepared(
    db,
    `
      select id, human_id as humanId, letter_code_failures as failures, letter_code_locked_at as lockedAt
      from notifications where letter_code_index = ? and state = 'issued'`,
  ).get(letterCodeIndex) as
    | { id: number; humanId: number; failures: number; lockedAt: number | null }
    | undefined
  if (!row) return undefined
  return {
    notificationId: row.id,
    humanId: row.humanId,
    failures: row.failures,
    locked: row.lockedAt !== null,
  }
}

/** One more wrong second factor; at `lockAfter` the code locks. */
export function recordLetterCodeFailure(
  db: PortalDatabase,
  notificationId: number,
  { lockAfter, now }: { lockAfter: number; now: number },
) {
  prepared(
    db,
    `
      update notifications set
        letter_code_failures = letter_code_failures + 1,
        letter_code_locked_at = case when letter_code_failures + 1 >= ? then coalesce(letter_code_locked_at, ?)
                                     else letter_code_locked_at end
      where id = ?`,
  ).run(lockAfter, now, notificationId)
}

/** Used: the hash goes, so the code is dead. */
export function markLetterCodeUsed(db: PortalDatabase, notificationId: number, now: number) {
  prepared(db, 'update notifications set letter_code_index = null, letter_code_used_at = ? where id = ?').run(
    now,
    notificationId,
  )
}

/** Staff lift a lock (issue of the support console); the count starts again. */
export function unlockLetterCode(db: PortalDatabase, notificationId: number) {
  prepared(
    db,
    'update notifications set letter_code_failures = 0, letter_code_locked_at = null where id = ?',
  ).run(notificationId)
}
