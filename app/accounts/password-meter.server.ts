import type { Config } from '~/config.server'
import type { MemberAccount } from '~db/member-accounts'
import { evaluateMemberPassword, type PasswordVerdict, type Refusal } from './password-policy.server'
import type { PasswordStrength, StrengthScore } from './password-strength.server'

/** The meter's reading: zxcvbn's level and hints, and every reason the policy would refuse it. */
export type MeterReading = PasswordStrength & { refusals: Refusal[] }

/** "Weak": the highest level a refused password shows, whatever zxcvbn alone makes of it. */
const REFUSED_SCORE_CAP: StrengthScore = 1

/**
 * The strength meter's reading of a password: the policy's own verdict (exposed, common, personal,
 * service name, breached, length), so the meter never calls strong what saving would refuse.
 */
export async function passwordStrength({
  password,
  account,
  config,
}: {
  password: string
  account: MemberAccount
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PWNED_PASSWORDS_URL'>
}): Promise<MeterReading> {
  return meterReadingOf(await evaluateMemberPassword({ password, account, config }))
}

export function meterReadingOf(verdict: PasswordVerdict): MeterReading {
  // A wrong length is refused before zxcvbn runs: nothing to hint but the length itself.
  const strength = verdict.strength ?? { score: 0, warning: null, suggestions: [] }
  const score = verdict.ok ? strength.score : (Math.min(strength.score, REFUSED_SCORE_CAP) as StrengthScore)
  return { ...strength, score, refusals: verdict.refusals }
}
