import { and, count, eq, gt, isNotNull } from 'drizzle-orm'
import type { SqliteDatabase } from './client'
import { hasActiveIdentityConfirmation } from './identity-confirmations'
import { notifications, sessions } from './schema'

/**
 * What the case actions page shows before staff act, and the two plain
 * actions that need no more than a statement: unlock the letter code and end
 * the customer's sessions. Callers write the audit entry in the same
 * transaction; nothing here returns a personal value.
 */

export type CaseActionState = {
  /** The channel of the notice on file, or null when the human was never notified. */
  noticeChannel: (typeof notifications.$inferSelect)['channel'] | null
  letterCodeLocked: boolean
  openCustomerSessions: number
  identityConfirmationActive: boolean
}

export function readCaseActionState(
  db: SqliteDatabase,
  { humanId, now }: { humanId: number; now: Date },
): CaseActionState {
  const notice = db
    .select({ channel: notifications.channel, lockedAt: notifications.letterCodeLockedAt })
    .from(notifications)
    .where(eq(notifications.humanId, humanId))
    .get()
  return {
    noticeChannel: notice?.channel ?? null,
    letterCodeLocked: notice?.lockedAt != null,
    openCustomerSessions: countOpenCustomerSessions(db, { humanId, now }),
    identityConfirmationActive: hasActiveIdentityConfirmation(db, { humanId, now }),
  }
}

const customerSessionsOf = (humanId: number) =>
  and(eq(sessions.kind, 'customer'), eq(sessions.humanId, humanId))

function countOpenCustomerSessions(db: SqliteDatabase, { humanId, now }: { humanId: number; now: Date }) {
  return (
    db
      .select({ n: count() })
      .from(sessions)
      .where(and(customerSessionsOf(humanId), gt(sessions.expiresAt, now)))
      .get()?.n ?? 0
  )
}

/** Clears a lock and its count of wrong second factors; false when nothing was locked. */
export function unlockLetterCodeOfHuman(db: SqliteDatabase, humanId: number) {
  return (
    db
      .update(notifications)
      .set({ letterCodeFailures: 0, letterCodeLockedAt: null })
      .where(and(eq(notifications.humanId, humanId), isNotNull(notifications.letterCodeLockedAt)))
      .run().changes === 1
  )
}

/** Deletes every customer session of the human, expired ones too; returns how many were still open. */
export function endCustomerSessions(db: SqliteDatabase, { humanId, now }: { humanId: number; now: Date }) {
  const open = countOpenCustomerSessions(db, { humanId, now })
  db.delete(sessions).where(customerSessionsOf(humanId)).run()
  return open
}
