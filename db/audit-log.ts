import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import {
  type AuditDetail,
  type AuditEntry,
  type AuditEntryInput,
  auditEntryHash,
  auditEntryInputSchema,
  canonicalDetail,
} from './audit-entry'
import type { AuditAction, AuditActorKind, AuditOutcome, AuditTargetKind } from './audit-vocabulary'
import { type PortalDatabase, prepared, withTransaction } from './client'
import { auditLog } from './schema'

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
export function appendAuditEntry(
  db: PortalDatabase,
  input: AuditEntryInput,
  { now = Date.now() }: { now?: number } = {},
): AuditEntry {
  const parsed = auditEntryInputSchema.safeParse(input)
  if (!parsed.success) {
    // The first path segment is one of the schema's own field names; deeper ones could be what was refused.
    const field = String(parsed.error.issues[0]?.path[0] ?? 'entry')
    throw new AuditEntryRefused(`audit entry refused: ${field} is not allowed`)
  }
  const given = parsed.data
  // Immediate, so the head is read under the write lock; inside a caller's transaction this is a savepoint.
  return withTransaction(db, (tx) => {
    const head = readAuditChainHead(tx)
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
    prepared(
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
    const moved = prepared(
      tx,
      'update audit_chain_head set last_sequence = ?, last_hash = ? where id = 1 and last_sequence = ?',
    ).run(content.sequence, hash, head.lastSequence)
    if (moved.changes !== 1) throw new Error('the audit chain moved during an append')
    return { ...content, previousHash: head.lastHash, hash }
  })
}

/** The head row. (On a server database, appends read it FOR UPDATE.) */
export function readAuditChainHead(db: PortalDatabase): AuditChainHead {
  const row = prepared<{ lastSequence: number; lastHash: Buffer }>(
    db,
    'select last_sequence as lastSequence, last_hash as lastHash from audit_chain_head where id = 1',
  ).get()
  if (!row) throw new Error('the audit chain head is missing (run the migrations)')
  return row
}

type StoredRow = {
  sequence: number
  at: number
  actorKind: AuditActorKind
  actorId: string
  action: AuditAction
  targetKind: AuditTargetKind | null
  targetId: string | null
  outcome: AuditOutcome
  clientIpIndex: Buffer | null
  detail: string
  previousHash: Buffer
  hash: Buffer
}

const COLUMNS = `sequence, at, actor_kind as actorKind, actor_id as actorId, action,
  target_kind as targetKind, target_id as targetId, outcome, client_ip_index as clientIpIndex,
  detail, previous_hash as previousHash, hash`

/**
 * Every entry from `after` + 1 on, in chain order, as stored (nothing is
 * checked here: that is the verifier's work). Read in pages by sequence, so
 * no cursor stays open between entries and a log of millions streams.
 */
export function* readAuditChain(
  db: PortalDatabase,
  { after = 0, pageSize = 1000 }: { after?: number; pageSize?: number } = {},
): Generator<AuditEntry> {
  const page = prepared<StoredRow>(
    db,
    `select ${COLUMNS} from audit_log where sequence > ? order by sequence limit ?`,
  )
  let last = after
  for (;;) {
    const rows = page.all(last, pageSize)
    for (const row of rows) yield storedEntry(row)
    const end = rows.at(-1)
    if (!end || rows.length < pageSize) return
    last = end.sequence
  }
}

/** One entry by its sequence number. */
export function findAuditEntry(db: PortalDatabase, sequence: number): AuditEntry | undefined {
  const row = prepared<StoredRow>(db, `select ${COLUMNS} from audit_log where sequence = ?`).get(sequence)
  return row ? storedEntry(row) : undefined
}

export type AuditLogFilter = {
  actor?: { kind: AuditActorKind; id: number | string }
  action?: AuditAction
  target?: { kind: AuditTargetKind; id: number | string }
  /** Epoch milliseconds, inclusive. */
  from?: number
  /** Epoch milliseconds, exclusive. */
  until?: number
}

export type AuditLogPage = {
  entries: AuditEntry[]
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null
}

export const MAX_AUDIT_PAGE_SIZE = 500

/**
 * The entries matching `filter`, newest first, `limit` at a time. Pages are
 * cut by sequence number (`before`), not by offset, so a page costs the same
 * deep in a long log and entries appended meanwhile do not shift it.
 */
export function listAuditEntries(
  db: PortalDatabase,
  { filter = {}, before, limit = 50 }: { filter?: AuditLogFilter; before?: number; limit?: number },
): AuditLogPage {
  const size = Math.min(Math.max(1, Math.trunc(limit)), MAX_AUDIT_PAGE_SIZE)
  const conditions: SQL[] = []
  if (filter.actor) {
    conditions.push(eq(auditLog.actorKind, filter.actor.kind), eq(auditLog.actorId, String(filter.actor.id)))
  }
  if (filter.action) conditions.push(eq(auditLog.action, filter.action))
  if (filter.target) {
    conditions.push(
      eq(auditLog.targetKind, filter.target.kind),
      eq(auditLog.targetId, String(filter.target.id)),
    )
  }
  if (filter.from !== undefined) conditions.push(gte(auditLog.at, new Date(filter.from)))
  if (filter.until !== undefined) conditions.push(lt(auditLog.at, new Date(filter.until)))
  if (before !== undefined) conditions.push(lt(auditLog.sequence, before))
  const rows = db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.sequence))
    .limit(size + 1)
    .all()
  const entries = rows.slice(0, size).map((row) => storedEntry({ ...row, at: row.at.getTime() }))
  return { entries, nextBefore: rows.length > size ? (entries.at(-1)?.sequence ?? null) : null }
}

function storedEntry(row: StoredRow): AuditEntry {
  const actor =
    row.actorKind === 'customer'
      ? { kind: row.actorKind, id: Number(row.actorId) }
      : { kind: row.actorKind, id: row.actorId }
  return {
    sequence: row.sequence,
    at: row.at,
    actor,
    action: row.action,
    target:
      row.targetKind === 'case'
        ? { kind: row.targetKind, id: Number(row.targetId) }
        : row.targetKind === 'staff'
          ? { kind: row.targetKind, id: String(row.targetId) }
          : null,
    outcome: row.outcome,
    clientIpIndex: row.clientIpIndex,
    detail: storedDetail(row.detail),
    previousHash: row.previousHash,
    hash: row.hash,
  }
}

/** An edited row may hold anything; what does not read as a detail verifies as the edit it is. */
function storedDetail(text: string): AuditDetail {
  try {
    const detail: unknown = JSON.parse(text)
    if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) return detail as AuditDetail
  } catch {}
  return { unreadable: true }
}
