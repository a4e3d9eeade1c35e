import { passwordWork } from './password-work.server'

/**
 * zxcvbn password strength, scored in the password helper process (see password-work.server.ts):
 * building the matcher costs ~170 ms and a check several milliseconds of CPU, which on the web
 * server's thread would stall every other request.
 */

export type StrengthScore = 0 | 1 | 2 | 3 | 4

// zxcvbn-ts 4's feedback keys (its dist/data/translationKeys), for the locales to translate.
export const STRENGTH_WARNINGS = [
  'straightRow',
  'keyPattern',
  'simpleRepeat',
  'extendedRepeat',
  'sequences',
  'recentYears',
  'dates',
  'topTen',
  'topHundred',
  'common',
  'similarToCommon',
  'wordByItself',
  'namesByThemselves',
  'commonNames',
  'userInputs',
  'pwned',
] as const
export const STRENGTH_SUGGESTIONS = [
  'l33t',
  'reverseWords',
  'allUppercase',
  'capitalization',
  'dates',
  'recentYears',
  'associatedYears',
  'sequences',
  'repeated',
  'longerKeyboardPattern',
  'anotherWord',
  'useWords',
  'noNeed',
  'pwned',
] as const
export type StrengthWarning = (typeof STRENGTH_WARNINGS)[number]
export type StrengthSuggestion = (typeof STRENGTH_SUGGESTIONS)[number]

/** Feedback comes as zxcvbn's keys, not English, for the caller to translate. */
export type PasswordStrength = {
  score: StrengthScore
  warning: StrengthWarning | null
  suggestions: StrengthSuggestion[]
}

/** The policy refuses longer passwords; the cap keeps a hostile caller from buying more CPU. */
const MAX_SCORED_CHARACTERS = 128

/** zxcvbn's score (0-4) and feedback keys, with the person's own words counted as guessable. */
export async function scorePassword({
  password,
  userInputs,
}: {
  password: string
  userInputs: string[]
}): Promise<PasswordStrength> {
  const capped = [...password].slice(0, MAX_SCORED_CHARACTERS).join('')
  return (await passwordWork('score', { password: capped, userInputs })) as PasswordStrength
}
