import { type SqliteDatabase, sqliteStatement } from './client'
import { outboxContentContext } from './notifications'
import { OUTBOX_PRIORITIES, type OutboxMessage, type OutboxState } from './schema'
import { type Keyring, unsealJson } from './seal'

/**
 * The e-mail outbox as a sender sees it. A sender claims due messages for a
 * lease in one immediate transaction, so two senders (threads or processes)
 * never hold the same message; a message whose sender died is due again when
 * its lease runs out.
 */

const PRIORITIES_FIRST_TO_LAST = Object.values(OUTBOX_PRIORITIES).sort((a, b) => a - b)

// A due message still has its content (dropped only once sent), so `contentSealed` is not null here.
type Due = Pick<OutboxMessage, 'id' | 'messageId' | 'attempts'> & { contentSealed: Buffer }

export type ClaimedMessage = Pick<OutboxMessage, 'id' | 'messageId' | 'attempts'> & { content: unknown }

export function claimDueMessages(
  db: SqliteDatabase,
  keyring: Keyring,
  { now, limit, leaseMs }: { now: number; limit: number; leaseMs: number },
): ClaimedMessage[] {
  // Index range scans of outbox_due (state, priority, next_attempt_at) only: an OR across states or
  // priorities, or one order by priority, would walk every sent (or every pending) row on each claim.
  const columns = 'id, message_id as messageId, attempts, content_sealed as contentSealed'
  const abandoned = sqliteStatement<Due>(
    db,
    `select ${columns} from outbox_messages
      where state = 'sending' and priority = ? and lease_until <= ? limit ?`,
  )
  const pending = sqliteStatement<Due>(
    db,
    `select ${columns} from outbox_messages
      where state = 'pending' and priority = ? and next_attempt_at <= ? order by next_attempt_at, id limit ?`,
  )
  const take = sqliteStatement(
    db,
    "update outbox_messages set state = 'sending', lease_until = ?, attempts = attempts + 1 where id = ?",
  )
  const claim = db.$client.transaction(() => {
    const due: Due[] = []
    // Every urgent message (a code, a security notice) before any bulk one, whenever it was queued;
    // within a priority, those a dead sender left behind first, then oldest due first.
    for (const priority of PRIORITIES_FIRST_TO_LAST) {
      for (const query of [abandoned, pending]) {
        if (due.length < limit) due.push(...query.all(priority, now, limit - due.length))
      }
    }
    for (const message of due) take.run(now + leaseMs, message.id)
    return due
  })
  return claim.immediate().map(({ contentSealed, ...message }) => ({
    ...message,
    attempts: message.attempts + 1,
    content: unsealJson({ keyring, context: outboxContentContext(message), sealed: contentSealed }),
  }))
}

/** Sent: the content (the only copy of what it said) is dropped; the state and time remain. */
export function markSent(db: SqliteDatabase, id: number, at: number) {
  sqliteStatement(
    db,
    "update outbox_messages set state = 'sent', sent_at = ?, content_sealed = null, lease_until = null, last_error = null where id = ?",
  ).run(at, id)
}

/** A temporary failure: due again at `nextAttemptAt`. */
export function markForRetry(
  db: SqliteDatabase,
  id: number,
  { nextAttemptAt, reason }: { nextAttemptAt: number; reason: string },
) {
  sqliteStatement(
    db,
    "update outbox_messages set state = 'pending', next_attempt_at = ?, lease_until = null, last_error = ? where id = ?",
  ).run(nextAttemptAt, reason, id)
}

/** A permanent failure (bounced, address refused): kept with its reason for staff. */
export function markFailed(db: SqliteDatabase, id: number, reason: string) {
  sqliteStatement(
    db,
    "update outbox_messages set state = 'failed', lease_until = null, last_error = ? where id = ?",
  ).run(reason, id)
}

export function countOutbox(db: SqliteDatabase): Record<OutboxState, number> {
  const counts: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, failed: 0 }
  const rows = sqliteStatement(
    db,
    'select state, count(*) as count from outbox_messages group by state',
  ).all() as {
    state: OutboxState
    count: number
  }[]
  for (const row of rows) counts[row.state] = row.count
  return counts
}

// Times as the hand-written select returns them, epoch milliseconds (drizzle's `timestamp_ms` gives Dates).
export type OutboxEntry = Pick<OutboxMessage, 'id' | 'state' | 'attempts' | 'lastError'> & {
  createdAt: number
  sentAt: number | null
  content: unknown
}

/** The newest messages with their content, for the development outbox page. */
export function listOutbox(
  db: SqliteDatabase,
  keyring: Keyring,
  { limit }: { limit: number },
): OutboxEntry[] {
  const rows = sqliteStatement(
    db,
    `
      select id, message_id as messageId, state, attempts, last_error as lastError, created_at as createdAt,
        sent_at as sentAt, content_sealed as contentSealed
      from outbox_messages order by id desc limit ?`,
  ).all(limit) as (Omit<OutboxEntry, 'content'> & {
    messageId: number | null
    contentSealed: Buffer | null
  })[]
  return rows.map(({ messageId, contentSealed, ...entry }) => ({
    ...entry,
    content: contentSealed
      ? unsealJson({
          keyring,
          context: outboxContentContext({ id: entry.id, messageId }),
          sealed: contentSealed,
        })
      : null,
  }))
}
