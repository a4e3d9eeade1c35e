import type { PortalDatabase } from '~db/client'

/**
 * What a change to staff accounts leaves in the audit log: who did it, what,
 * to whom, how it ended, and a detail of codes and counts, never a personal
 * value (no e-mail address, no name). Each domain function also returns its
 * entry, so a caller can show or test what was recorded.
 */

/** The operator at the command line, the demo loader, or a supervisor at `/staff/people`. */
export type StaffActor = { kind: 'system'; via: 'command' | 'demo-data' } | { kind: 'staff'; staffId: string }

export type StaffAuditAction = 'staff.create' | 'staff.disable' | 'staff.reset_mfa'

export type StaffAuditEntry = {
  actor: StaffActor
  action: StaffAuditAction
  /** The account acted on; none when the e-mail address named no account. */
  target: { kind: 'staff'; staffId: string } | null
  outcome: 'done' | 'unchanged' | 'refused'
  detail: Record<string, string | number | boolean>
}

/**
 * The one place staff account changes reach the audit log, called inside the
 * change's own transaction so the entry and the change commit together.
 */
export function auditStaffChange(db: PortalDatabase, entry: StaffAuditEntry) {
  // audited once the audit log lands: appendAuditEntry(db, entry) from db/audit-log.ts, same transaction.
  void db
  return entry
}
