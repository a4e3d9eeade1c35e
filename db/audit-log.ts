import {
  type AuditEntry,
  type AuditEntryInput,
  auditEntryHash,
  auditEntryInputSchema,
  canonicalDetail,
} from './audit-entry'
import { type StoredAuditRow, storedAuditEntry } from './audit-stored'
import { type PortalDatabase, prepared, withTransaction } from './database'

export {
  type AuditLogFilter,
  type AuditLogPage,
  listAuditEntries,
  MAX_AUDIT_PAGE_SIZE,
} from './audit-log-query'

/**
 * The audit log's storage: append, list, read in chain order. Appends go
 * through the one-row chain head (see schema.ts), read and moved in the
 * caller's transaction, so the entry commits or rolls back with the action it
 * records, and two appends never follow the same entry.
 */

export class AuditEntryRefused extends Error {
  override name = 'AuditEntryRefused'
}

/** The chain's end as the head row has it: how many entries, and the last one's hash. */
export type AuditChainHead = { lastSequence: number; lastHash: Buffer }

/**
 * Appends one entry after the chain's end and returns it. Pass the
 * transaction the audited action runs in (`withTransaction`'s `tx`): the entry
 * then commits with the action or not at all. Outside a transaction it makes
 * its own. Throws `AuditEntryRefused`, naming the field but never quoting it,
 * when the entry holds anything but IDs, vocabulary words, tokens and counts.
 */
export async function appendAuditEntry(
  db: PortalDatabase,
  input: AuditEntryInput,
  { now = Date.now() }: { now?: number } = {},
): Promise<AuditEntry> {
  const parsed = auditEntryInputSchema.safeParse(input)
  if (!parsed.success) {
    // The first path segment is one of the schema's own field names; deeper ones could be what was refused.
    const field = String(parsed.error.issues[0]?.path[0] ?? 'entry')
    throw new AuditEntryRefused(`audit entry refused: ${field} is not allowed`)
  }
  const given = parsed.data
  // Immediate, so the head is read under the write lock; inside a caller's transaction this is a savepoint.
  return withTransaction(db, async (tx) => {
    const head = await readAuditChainHead(tx)
    const content = {
      sequence: head.lastSequence + 1,
      at: now,
      actor: given.actor,
      action: given.action,
      target: given.target ?? null,
      outcome: given.outcome,
      clientIpIndex: given.clientIpIndex ?? null,
      detail: given.detail,
    }
    const hash = auditEntryHash(head.lastHash, content)
    await prepared(
      tx,
      `insert into audit_log (sequence, at, actor_kind, actor_id, action, target_kind, target_id,
        outcome, client_ip_index, detail, previous_hash, hash)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      content.sequence,
      content.at,
      content.actor.kind,
      String(content.actor.id),
      content.action,
      content.target?.kind ?? null,
      content.target ? String(content.target.id) : null,
      content.outcome,
      content.clientIpIndex,
      canonicalDetail(content.detail),
      head.lastHash,
      hash,
    )
    // The head must still be where it was read; on a server database without a row lock this is what refuses a fork.
    const moved = await prepared(
      tx,
      'update audit_chain_head set last_sequence = ?, last_hash = ? where id = 1 and last_sequence = ?',
    ).run(content.sequence, hash, head.lastSequence)
    if (moved.changes !== 1) throw new Error('the audit chain moved during an append')
    return { ...content, previousHash: head.lastHash, hash }
  })
}

/** The head row. (Appends read it under the write lock: SQLite's, or PostgreSQL's advisory one.) */
export async function readAuditChainHead(db: PortalDatabase): Promise<AuditChainHead> {
  const row = await prepared<{ lastSequence: number; lastHash: Buffer }>(
    db,
    'select last_sequence as "lastSequence", last_hash as "lastHash" from audit_chain_head where id = 1',
  ).get()
  if (!row) throw new Error('the audit chain head is missing (run the migrations)')
  return row
}

const COLUMNS = `sequence, at, actor_kind as "actorKind", actor_id as "actorId", action,
  target_kind as "targetKind", target_id as "targetId", outcome, client_ip_index as "clientIpIndex",
  detail, previous_hash as "previousHash", hash`

/**
 * Every entry from `after` + 1 on, in chain order, as stored (nothing is
 * checked here: that is the verifier's work). Read in pages by sequence, so
 * no cursor stays open between entries and a log of millions streams.
 */
export async function* readAuditChain(
  db: PortalDatabase,
  { after = 0, pageSize = 1000 }: { after?: number; pageSize?: number } = {},
): AsyncGenerator<AuditEntry> {
  const page = prepared<StoredAuditRow>(
    db,
    `select ${COLUMNS} from audit_log where sequence > ? order by sequence limit ?`,
  )
  let last = after
  for (;;) {
    const rows = await page.all(last, pageSize)
    for (const row of rows) yield storedAuditEntry(row)
    const end = rows.at(-1)
    if (!end || rows.length < pageSize) return
    last = end.sequence
  }
}

/** One entry by its sequence number. */
export async function findAuditEntry(db: PortalDatabase, sequence: number): Promise<AuditEntry | undefined> {
  const row = await prepared<StoredAuditRow>(db, `select ${COLUMNS} from audit_log where sequence = ?`).get(
    sequence,
  )
  return row ? storedAuditEntry(row) : undefined
}
