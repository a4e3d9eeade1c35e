import { spendVerifyTime, verifyPassword } from '~/accounts/password-hash.server'
import { normalisePassword } from '~/accounts/password-policy.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import {
  clearStaffSignInFailures,
  findStaffMemberByEmail,
  recordStaffSignInFailure,
  STAFF_LOCK_AFTER_FAILURES,
  STAFF_LOCK_MS,
} from '~db/staff-members'

/**
 * The password step of a staff sign-in. Every refusal (no such account, a
 * wrong password, a locked, disabled or expired enrolment account) answers the
 * caller the same `{ ok: false }`, after the same one argon2 verification, so
 * neither the page nor its timing tells who is staff; only the audit entry
 * says which it was. The counter and the entry commit together.
 */

export type StaffSignInOutcome = { ok: true; staffId: string; passwordMustChange: boolean } | { ok: false }

export async function signInStaff({
  db,
  crypto,
  email,
  password,
  clientIpIndex,
  now = new Date(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  /** The address normalised, or undefined when it was not one (then no account is looked up). */
  email: string | undefined
  password: string
  clientIpIndex: Buffer
  now?: Date
}): Promise<StaffSignInOutcome> {
  const normalised = normalisePassword(password)
  const member = email === undefined ? undefined : await findStaffMemberByEmail(db, crypto, email)
  if (!member) {
    await spendVerifyTime(normalised)
    await appendAuditEntry(db, {
      actor: { kind: 'system', id: 'staff-sign-in' },
      action: 'staff.sign_in',
      outcome: 'failure',
      clientIpIndex,
      detail: { reason: 'unknown_email' },
    })
    return { ok: false }
  }
  // Verified whatever the account's state, so a locked or disabled account costs the same time.
  const right = await verifyPassword({ hash: member.passwordHash, password: normalised })
  // Whoever typed a wrong password is not known to be the member: a refusal is the sign-in's own
  // record about the account; only a sign-in that passed is the member's act.
  const refuser = { kind: 'system', id: 'staff-sign-in' } as const
  const actor = { kind: 'staff', id: member.id } as const
  const target = { kind: 'staff', id: member.id } as const
  const denial =
    member.disabledAt !== null
      ? 'disabled'
      : member.lockedUntil !== null && member.lockedUntil > now
        ? 'locked'
        : right &&
            member.passwordMustChange &&
            !(member.enrolmentExpiresAt && member.enrolmentExpiresAt > now)
          ? 'enrolment_expired'
          : undefined
  return withTransaction(db, async (tx): Promise<StaffSignInOutcome> => {
    if (denial) {
      // A wrong password while locked does not extend the lock: the lock is the limit already.
      await appendAuditEntry(tx, {
        actor: refuser,
        action: 'staff.sign_in',
        target,
        outcome: 'denied',
        clientIpIndex,
        detail: { reason: denial },
      })
      return { ok: false }
    }
    if (!right) {
      const { locked } = await recordStaffSignInFailure(tx, { id: member.id, now })
      await appendAuditEntry(tx, {
        actor: refuser,
        action: locked ? 'staff.locked' : 'staff.sign_in',
        target,
        outcome: 'failure',
        clientIpIndex,
        detail: locked
          ? {
              reason: 'wrong_password',
              failures: STAFF_LOCK_AFTER_FAILURES,
              lockedMinutes: STAFF_LOCK_MS / 60_000,
            }
          : { reason: 'wrong_password' },
      })
      return { ok: false }
    }
    await clearStaffSignInFailures(tx, member.id)
    await appendAuditEntry(tx, {
      actor,
      action: 'staff.sign_in',
      target,
      outcome: 'success',
      clientIpIndex,
      detail: { factor: 'password', mustChange: member.passwordMustChange },
    })
    return { ok: true, staffId: member.id, passwordMustChange: member.passwordMustChange }
  })
}
