import { appendAuditEntry } from '~db/audit-log'
import type { AuditAction } from '~db/audit-vocabulary'
import type { PortalDatabase } from '~db/database'

/**
 * What a change to staff accounts leaves in the audit log: who did it, what,
 * to whom, how it ended, and a detail of codes and counts, never a personal
 * value (no e-mail address, no name). Each domain function also returns its
 * entry, so a caller can show or test what was recorded.
 */

/** The operator at the command line, the demo loader, or a supervisor at `/staff/people`. */
export type StaffActor = { kind: 'system'; via: 'command' | 'demo-data' } | { kind: 'staff'; staffId: string }

export type StaffAuditAction = Extract<
  AuditAction,
  'staff.created' | 'staff.disabled' | 'staff.mfa_reset' | 'staff.passkey_required'
>

export type StaffAuditEntry = {
  actor: StaffActor
  action: StaffAuditAction
  /** The account acted on; none when the e-mail address named no account. */
  target: { kind: 'staff'; staffId: string } | null
  outcome: 'done' | 'unchanged' | 'refused'
  detail: Record<string, string | number | boolean>
}

/** The system actor's name in the log: the command or job that acted. */
const SYSTEM_ACTORS = { command: 'staff:command', 'demo-data': 'demo-data' } as const

/**
 * The one place staff account changes reach the audit log, called inside the
 * change's own transaction so the entry and the change commit together. A
 * refusal (an e-mail already taken, an unknown one) is recorded as `denied`;
 * a change that changed nothing (disabling someone already disabled) as a
 * success with `unchanged` in its detail.
 */
export async function auditStaffChange(db: PortalDatabase, entry: StaffAuditEntry): Promise<StaffAuditEntry> {
  await appendAuditEntry(db, {
    actor:
      entry.actor.kind === 'staff'
        ? { kind: 'staff', id: entry.actor.staffId }
        : { kind: 'system', id: SYSTEM_ACTORS[entry.actor.via] },
    action: entry.action,
    target: entry.target ? { kind: 'staff', id: entry.target.staffId } : undefined,
    outcome: entry.outcome === 'refused' ? 'denied' : 'success',
    detail: entry.outcome === 'unchanged' ? { ...entry.detail, unchanged: true } : entry.detail,
  })
  return entry
}
