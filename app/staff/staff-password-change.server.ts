import { hashPassword } from '~/accounts/password-hash.server'
import type { Config } from '~/config.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/client'
import type { Keyring } from '~db/seal'
import { findStaffMemberById, setStaffPassword } from '~db/staff-members'
import { deleteStaffSessionsOf } from '~db/staff-sessions'
import { evaluateStaffPassword, type StaffRefusal } from './staff-password-policy.server'

/**
 * The forced change at the first sign-in: the enrolment password, which
 * whoever created the account has seen, gives way to one of the member's own.
 * The new hash, the end of every other session of the member and the audit
 * entry commit together.
 */

export type StaffPasswordChange = { ok: true } | { ok: false; refusals: StaffRefusal[] }

export async function changeStaffPassword({
  db,
  keyring,
  config,
  staffId,
  keepSessionIdHash,
  password,
  clientIpIndex,
  now = new Date(),
}: {
  db: PortalDatabase
  keyring: Keyring
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PWNED_PASSWORDS_URL'>
  staffId: string
  /** The session the change was made in: it carries on, every other one ends. */
  keepSessionIdHash: Buffer
  password: string
  clientIpIndex: Buffer
  now?: Date
}): Promise<StaffPasswordChange> {
  const member = findStaffMemberById(db, keyring, staffId)
  // The session guard found the member a moment ago, and a member's sessions go with the row.
  if (!member) throw new Error('the signed-in staff member is missing')
  const verdict = await evaluateStaffPassword({ password, staff: member, config })
  const actor = { kind: 'staff', id: staffId } as const
  if (!verdict.ok) {
    appendAuditEntry(db, {
      actor,
      action: 'staff.password_changed',
      target: actor,
      outcome: 'denied',
      clientIpIndex,
      detail: { refusals: verdict.refusals },
    })
    return { ok: false, refusals: verdict.refusals }
  }
  // Hashed before the transaction: nothing may await while SQLite holds it open.
  const passwordHash = await hashPassword(verdict.normalised)
  withTransaction(db, (tx) => {
    setStaffPassword(tx, { id: staffId, passwordHash, now })
    const ended = deleteStaffSessionsOf(tx, { staffId, keepIdHash: keepSessionIdHash })
    appendAuditEntry(tx, {
      actor,
      action: 'staff.password_changed',
      target: actor,
      outcome: 'success',
      clientIpIndex,
      detail: { otherSessionsEnded: ended, wasEnrolment: member.passwordMustChange },
    })
  })
  return { ok: true }
}
