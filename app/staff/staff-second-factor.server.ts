import { readRecoveryCode, recoveryCodeLookup } from '~/staff/recovery-codes.server'
import type { SecondFactorCode } from '~/staff/staff-fields'
import type { StaffSession } from '~/staff/staff-session.server'
import { matchedTotpStep } from '~/staff/staff-totp.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { readTotpSecret, spendRecoveryCode, spendTotpStep } from '~db/staff-factors'
import {
  clearStaffSignInFailures,
  findStaffMemberById,
  recordStaffSignInFailure,
  STAFF_LOCK_AFTER_FAILURES,
  STAFF_LOCK_MS,
  type StaffMember,
} from '~db/staff-members'
import { recordSecondFactor } from '~db/staff-sessions'

/**
 * The second step of a staff sign-in, and of every step-up after it: a code
 * from the authenticator app, or a recovery code. A code is spent in the same
 * transaction that marks the session and writes the audit entry, by a
 * conditional UPDATE, so of two concurrent requests with one code only one
 * passes. Wrong codes count with wrong passwords: five in a row lock the
 * account for 15 minutes, and a lock ends the sign-in.
 */

export type SecondFactorRefusal = 'wrong' | 'locked' | 'passkeys-required' | 'not-enrolled'
export type SecondFactorOutcome = { ok: true } | { ok: false; reason: SecondFactorRefusal }

type Context = {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  clientIpIndex: Buffer
  now?: Date
}

/** Whether the account may give a second factor at all now (not disabled, not locked). */
export function accountBarred(member: StaffMember, now: Date) {
  return member.disabledAt !== null || (member.lockedUntil !== null && member.lockedUntil > now)
}

export async function giveSecondFactor({
  db,
  crypto,
  session,
  code,
  clientIpIndex,
  now = new Date(),
}: Context & { code: SecondFactorCode }): Promise<SecondFactorOutcome> {
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  if (!member) return { ok: false, reason: 'locked' }
  const staff = { kind: 'staff', id: member.id } as const
  // A second factor given in a session that already had one is a step-up; the first is the sign-in.
  const action = session.secondFactorAt === null ? 'staff.sign_in_mfa' : 'staff.step_up'
  const audit = (
    tx: PortalDatabase,
    outcome: 'success' | 'failure' | 'denied',
    detail: Record<string, unknown>,
  ) => appendAuditEntry(tx, { actor: staff, action, target: staff, outcome, clientIpIndex, detail })
  if (accountBarred(member, now)) {
    await audit(db, 'denied', {
      factor: code.kind,
      reason: member.disabledAt ? 'disabled' : 'locked',
    })
    return { ok: false, reason: 'locked' }
  }
  if (code.kind === 'totp' && member.passkeysRequired) {
    await audit(db, 'denied', { factor: 'totp', reason: 'passkeys_required' })
    return { ok: false, reason: 'passkeys-required' }
  }
  const secret = code.kind === 'totp' ? await readTotpSecret(db, crypto.keyring, member.id) : undefined
  if (code.kind === 'totp' && secret === undefined) return { ok: false, reason: 'not-enrolled' }
  const step =
    code.kind === 'totp' && secret !== undefined ? matchedTotpStep(secret, code.digits, now) : undefined
  return withTransaction(db, async (tx): Promise<SecondFactorOutcome> => {
    const spent =
      code.kind === 'totp'
        ? step !== undefined && (await spendTotpStep(tx, { staffId: member.id, step }))
        : readRecoveryCode(code.typed) !== undefined &&
          (await spendRecoveryCode(tx, {
            staffId: member.id,
            codeHashes: recoveryCodeLookup(crypto.lookup, member.id, code.typed),
            now,
          }))
    if (!spent) {
      const reason = code.kind === 'totp' && step !== undefined ? 'code_already_used' : 'wrong_code'
      return failedSecondFactor(tx, { member, clientIpIndex, factor: code.kind, reason, now, action })
    }
    await clearStaffSignInFailures(tx, member.id)
    await recordSecondFactor(tx, { idHash: session.idHash, factor: code.kind, now: now.getTime() })
    await audit(
      tx,
      'success',
      code.kind === 'totp'
        ? { factor: 'totp' }
        : { factor: 'recovery-code', unusedRecoveryCodes: Math.max(0, member.unusedRecoveryCodes - 1) },
    )
    return { ok: true }
  })
}

/**
 * A wrong (or spent) code: counted with wrong passwords, audited, and at the
 * limit the account locks, which the caller answers by ending the sign-in.
 */
export async function failedSecondFactor(
  tx: PortalDatabase,
  {
    member,
    clientIpIndex,
    factor,
    reason,
    now,
    action,
  }: {
    member: StaffMember
    clientIpIndex: Buffer
    factor: string
    reason: string
    now: Date
    action: 'staff.sign_in_mfa' | 'staff.step_up' | 'staff.mfa_enrolled'
  },
): Promise<SecondFactorOutcome> {
  const staff = { kind: 'staff', id: member.id } as const
  const { locked } = await recordStaffSignInFailure(tx, { id: member.id, now })
  await appendAuditEntry(tx, {
    actor: staff,
    action: locked ? 'staff.locked' : action,
    target: staff,
    outcome: 'failure',
    clientIpIndex,
    detail: locked
      ? { factor, reason, failures: STAFF_LOCK_AFTER_FAILURES, lockedMinutes: STAFF_LOCK_MS / 60_000 }
      : { factor, reason },
  })
  return { ok: false, reason: locked ? 'locked' : 'wrong' }
}
