import { and, count, eq, gt } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
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

export async function readCaseActionState(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<CaseActionState> {
  const notice = await db
    .select({ channel: notifications.channel, lockedAt: notifications.letterCodeLockedAt })
    .from(notifications)
    .where(eq(notifications.humanId, humanId))
    .get()
  return {
    noticeChannel: notice?.channel ?? null,
    letterCodeLocked: notice?.lockedAt != null,
    openCustomerSessions: await countOpenCustomerSessions(db, { humanId, now }),
    identityConfirmationActive: await hasActiveIdentityConfirmation(db, { humanId, now }),
  }
}

const customerSessionsOf = (humanId: number) =>
  and(eq(sessions.kind, 'customer'), eq(sessions.humanId, humanId))

async function countOpenCustomerSessions(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<number> {
  const open = await db
    .select({ n: count() })
    .from(sessions)
    .where(and(customerSessionsOf(humanId), gt(sessions.expiresAt, now)))
    .get()
  return open?.n ?? 0
}

/** Clears a lock and its count of wrong second factors; false when nothing was locked. */
export async function unlockLetterCodeOfHuman(db: PortalDatabase, humanId: number): Promise<boolean> {
  const unlocked = await prepared(
    db,
    `update notifications set letter_code_failures = 0, letter_code_locked_at = null
     where human_id = ? and letter_code_locked_at is not null`,
  ).run(humanId)
  return unlocked.changes === 1
}

/** Deletes every customer session of the human, expired ones too; returns how many were still open. */
export async function endCustomerSessions(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<number> {
  const open = await countOpenCustomerSessions(db, { humanId, now })
  await db.delete(sessions).where(customerSessionsOf(humanId)).run()
  return open
}
