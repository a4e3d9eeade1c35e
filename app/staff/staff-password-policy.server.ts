import { verifyPassword } from '~/accounts/password-hash.server'
import {
  evaluateNewPassword,
  type PasswordVerdict,
  personalWordsOf,
  type Refusal,
} from '~/accounts/password-policy.server'
import type { Config } from '~/config.server'
import { asEnrolmentPassword } from './enrolment-password.server'

/**
 * A staff member's new password: the members' NIST SP 800-63B-4 policy
 * (common, breached, personal and service words, strength), at least 15
 * characters whatever members are allowed, and never the enrolment password
 * again, which whoever created the account has seen.
 */

export const STAFF_PASSWORD_MIN_LENGTH = 15

/** The members' refusals, and one of staff's own, which the staff password page is to word. */
export type StaffRefusal = Refusal | 'enrolmentPassword'

export type StaffPasswordVerdict = Omit<PasswordVerdict, 'refusals'> & { refusals: StaffRefusal[] }

export async function evaluateStaffPassword({
  password,
  staff,
  config,
}: {
  password: string
  staff: { email: string; name: string; enrolmentPasswordHash: string }
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PWNED_PASSWORDS_URL'>
}): Promise<StaffPasswordVerdict> {
  const verdict = await evaluateNewPassword({
    password,
    minLength: Math.max(STAFF_PASSWORD_MIN_LENGTH, config.PASSWORD_MIN_LENGTH),
    personalWords: personalWordsOf({ email: staff.email, familyName: staff.name }).concat(
      staff.name.split(' '),
    ),
    pwnedPasswordsUrl: config.PWNED_PASSWORDS_URL,
  })
  // The length alone already refused it: no argon2 work for that.
  if (verdict.strength === null) return verdict
  if (!(await isEnrolmentPassword({ normalised: verdict.normalised, hash: staff.enrolmentPasswordHash })))
    return verdict
  return { ...verdict, ok: false, refusals: ['enrolmentPassword', ...verdict.refusals] }
}

/** As typed, or retyped in lower case, without hyphens or with look-alikes: still the same password. */
async function isEnrolmentPassword({ normalised, hash }: { normalised: string; hash: string }) {
  if (await verifyPassword({ hash, password: normalised })) return true
  const canonical = asEnrolmentPassword(normalised)
  return canonical !== undefined && canonical !== normalised && verifyPassword({ hash, password: canonical })
}
