import { hashPassword, verifyPassword } from '~/accounts/password-hash.server'
import { normalisePassword } from '~/accounts/password-policy.server'
import type { Config } from '~/config.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { Keyring } from '~db/seal'
import { findStaffMemberById, setStaffPassword } from '~db/staff-members'
import { deleteStaffSessionsOf } from '~db/staff-sessions'
import { evaluateStaffPassword, type StaffRefusal } from './staff-password-policy.server'

/**
 * A staff member's new password: at the first sign-in, the forced change of
 * the enrolment password (which whoever created the account has seen); later,
 * a change of their own, which asks for the current password first (a
 * session left open on a desk must not be enough to take the account). The
 * new hash, the end of every other session of the member and the audit entry
 * commit together.
 */

export type StaffPasswordChange =
  | { ok: true }
  | { ok: false; refusals: (StaffRefusal | 'currentPasswordWrong')[] }

export async function changeStaffPassword({
  db,
  keyring,
  config,
  staffId,
  keepSessionIdHash,
  password,
  currentPassword,
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
  /** Asked for unless this is the enrolment password's forced change. */
  currentPassword?: string
  clientIpIndex: Buffer
  now?: Date
}): Promise<StaffPasswordChange> {
  const member = await findStaffMemberById(db, keyring, staffId)
  // The session guard found the member a moment ago, and a member's sessions go with the row.
  if (!member) throw new Error('the signed-in staff member is missing')
  const actor = { kind: 'staff', id: staffId } as const
  if (!member.passwordMustChange) {
    const right = await verifyPassword({
      hash: member.passwordHash,
      password: normalisePassword(currentPassword ?? ''),
    })
    if (!right) {
      await appendAuditEntry(db, {
        actor,
        action: 'staff.password_changed',
        target: actor,
        outcome: 'denied',
        clientIpIndex,
        detail: { reason: 'current_password_wrong' },
      })
      return { ok: false, refusals: ['currentPasswordWrong'] }
    }
  }
  const verdict = await evaluateStaffPassword({ password, staff: member, config })
  if (!verdict.ok) {
    await appendAuditEntry(db, {
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
  await withTransaction(db, async (tx) => {
    await setStaffPassword(tx, { id: staffId, passwordHash, now })
    const ended = await deleteStaffSessionsOf(tx, { staffId, keepIdHash: keepSessionIdHash })
    await appendAuditEntry(tx, {
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
