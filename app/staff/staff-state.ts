import type { StaffMember } from '~db/staff-members'

/**
 * Where an account stands, as the operator and supervisors see it:
 * `disabled` wins over everything, then a lock from wrong tries, then an
 * enrolment password not yet replaced (`enrolling` while it still signs in).
 */
export type StaffState = 'disabled' | 'locked' | 'enrolling' | 'enrolment-expired' | 'active'

export function staffState(
  member: Pick<StaffMember, 'disabledAt' | 'lockedUntil' | 'passwordMustChange' | 'enrolmentExpiresAt'>,
  now: Date,
): StaffState {
  if (member.disabledAt) return 'disabled'
  if (member.lockedUntil && member.lockedUntil > now) return 'locked'
  if (!member.passwordMustChange) return 'active'
  return member.enrolmentExpiresAt && member.enrolmentExpiresAt > now ? 'enrolling' : 'enrolment-expired'
}

/** The second factors in use, in words: the passkeys, an authenticator app, or none yet. */
export function secondFactors(member: Pick<StaffMember, 'hasTotp' | 'passkeys'>) {
  const factors = [
    ...(member.passkeys > 0 ? [`${member.passkeys} passkey${member.passkeys === 1 ? '' : 's'}`] : []),
    ...(member.hasTotp ? ['app'] : []),
  ]
  return factors.length > 0 ? factors.join(', ') : 'none'
}
