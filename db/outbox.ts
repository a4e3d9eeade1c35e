import { type PortalDatabase, prepared } from './database'
import { outboxContentContext } from './notifications'
import { OUTBOX_PRIORITIES, type OutboxMessage, type OutboxState } from './schema'
import { type Keyring, unsealJson } from './seal'

/**
 * The e-mail outbox as a sender sees it. A sender claims due messages for a
 * lease in statements that lock them as they read them, so two senders
 * (threads, processes or nodes) never hold the same message; a message whose
 * sender died is due again when its lease runs out.
 */

const PRIORITIES_FIRST_TO_LAST = Object.values(OUTBOX_PRIORITIES).sort((a, b) => a - b)

// A due message still has its content (dropped only once sent), so `contentSealed` is not null here.
type Due = Pick<OutboxMessage, 'id' | 'messageId' | 'attempts'> & { contentSealed: Buffer }

export type ClaimedMessage = Pick<OutboxMessage, 'id' | 'messageId' | 'attempts'> & { content: unknown }

export async function claimDueMessages(
  db: PortalDatabase,
  keyring: Keyring,
  { now, limit, leaseMs }: { now: number; limit: number; leaseMs: number },
): Promise<ClaimedMessage[]> {
  // Index range scans of outbox_due (state, priority, next_attempt_at) only: an OR across states or
  // priorities, or one order by priority, would walk every sent (or every pending) row on each claim.
  // Each statement takes what it finds for the lease as it finds it, so no transaction is needed
  // around them. SQLite: a statement holds the write lock, so two claims never take the same rows.
  // PostgreSQL: the inner select locks what it takes, skipping rows another sender is claiming
  // rather than queueing behind it.
  const locked = db.$runner.dialect === 'postgres' ? ' for update skip locked' : ''
  const claim = (due: string) =>
    prepared<Due>(
      db,
      `update outbox_messages set state = 'sending', lease_until = ?, attempts = attempts + 1
       where id in (select id from outbox_messages where ${due} limit ?${locked})
       returning id, message_id as "messageId", attempts, content_sealed as "contentSealed"`,
    )
  const abandoned = claim("state = 'sending' and priority = ? and lease_until <= ?")
  const pending = claim(
    "state = 'pending' and priority = ? and next_attempt_at <= ? order by next_attempt_at, id",
  )
  const claimed: Due[] = []
  // Every urgent message (a code, a security notice) before any bulk one, whenever it was queued;
  // within a priority, those a dead sender left behind first, then oldest due first.
  for (const priority of PRIORITIES_FIRST_TO_LAST) {
    for (const statement of [abandoned, pending]) {
      if (claimed.length >= limit) break
      const taken = await statement.all(now + leaseMs, priority, now, limit - claimed.length)
      // Rows come back in no promised order: by ID, the order they were queued in.
      claimed.push(...taken.sort((x, y) => x.id - y.id))
    }
  }
  return claimed.map(({ contentSealed, ...message }) => ({
    ...message,
    content: unsealJson({ keyring, context: outboxContentContext(message), sealed: contentSealed }),
  }))
}

/** Sent: the content (the only copy of what it said) is dropped; the state and time remain. */
export async function markSent(db: PortalDatabase, id: number, at: number) {
  await prepared(
    db,
    "update outbox_messages set state = 'sent', sent_at = ?, content_sealed = null, lease_until = null, last_error = null where id = ?",
  ).run(at, id)
}

/** A temporary failure: due again at `nextAttemptAt`. */
export async function markForRetry(
  db: PortalDatabase,
  id: number,
  { nextAttemptAt, reason }: { nextAttemptAt: number; reason: string },
) {
  await prepared(
    db,
    "update outbox_messages set state = 'pending', next_attempt_at = ?, lease_until = null, last_error = ? where id = ?",
  ).run(nextAttemptAt, reason, id)
}

/** A permanent failure (bounced, address refused): kept with its reason for staff. */
export async function markFailed(db: PortalDatabase, id: number, reason: string) {
  await prepared(
    db,
    "update outbox_messages set state = 'failed', lease_until = null, last_error = ? where id = ?",
  ).run(reason, id)
}

export async function countOutbox(db: PortalDatabase): Promise<Record<OutboxState, number>> {
  const counts: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, failed: 0 }
  const rows = await prepared<{ state: OutboxState; count: number }>(
    db,
    'select state, count(*) as count from outbox_messages group by state',
  ).all()
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
export async function listOutbox(
  db: PortalDatabase,
  keyring: Keyring,
  { limit }: { limit: number },
): Promise<OutboxEntry[]> {
  const rows = await prepared<
    Omit<OutboxEntry, 'content'> & {
      messageId: number | null
      contentSealed: Buffer | null
    }
  >(
    db,
    `
      select id, message_id as "messageId", state, attempts, last_error as "lastError", created_at as "createdAt",
        sent_at as "sentAt", content_sealed as "contentSealed"
      from outbox_messages order by id desc limit ?`,
  ).all(limit)
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
