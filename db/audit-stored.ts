import type { AuditDetail, AuditEntry } from './audit-entry'
import type { AuditAction, AuditActorKind, AuditOutcome, AuditTargetKind } from './audit-vocabulary'

/**
 * An audit row as the database holds it, and the entry it reads as: shared by
 * the chain's reader (audit-log.ts) and the supervisors' queries
 * (audit-log-query.ts), so both give an entry the same shape.
 */

export type StoredAuditRow = {
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

export function storedAuditEntry(row: StoredAuditRow): AuditEntry {
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
        : row.targetKind === 'staff' || row.targetKind === 'return'
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
