import type { MemberAccount } from '~db/member-accounts'
import { normalisePassword, personalWordsOf } from './password-policy.server'
import { scorePassword } from './password-strength.server'

/** The strength meter's reading of a password, judged against the member's own details too. */
export function passwordStrength({ password, account }: { password: string; account: MemberAccount }) {
  return scorePassword({
    password: normalisePassword(password),
    userInputs: personalWordsOf(account.details),
  })
}
