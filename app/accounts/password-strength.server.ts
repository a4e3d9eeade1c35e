import { passwordWork } from './password-work.server'

/**
 * zxcvbn password strength, scored in the password helper process (see password-work.server.ts):
 * building the matcher costs ~170 ms and a check several milliseconds of CPU, which on the web
 * server's thread would stall every other request.
 */

export type StrengthScore = 0 | 1 | 2 | 3 | 4

/**
 * zxcvbn-ts 4's feedback keys (its dist/data/translationKeys), each mapped to a sentence of our
 * own (locales: account `strength.warnings.<ours>` and `strength.suggestions.<ours>`): its stock
 * translations are not sentences a person understands ("There should not be any personal or page
 * related data"), and several of its keys say one thing.
 */
const WARNING_KEYS = {
  straightRow: 'keyboardRow',
  keyPattern: 'keyboardPattern',
  simpleRepeat: 'repeatedCharacters',
  extendedRepeat: 'repeatedPattern',
  sequences: 'sequence',
  recentYears: 'recentYear',
  dates: 'date',
  topTen: 'veryCommon',
  topHundred: 'veryCommon',
  common: 'common',
  similarToCommon: 'likeCommon',
  wordByItself: 'singleWord',
  namesByThemselves: 'namesAlone',
  commonNames: 'commonNames',
  userInputs: 'personalDetails',
  pwned: 'breached',
} as const
const SUGGESTION_KEYS = {
  l33t: 'substitutions',
  reverseWords: 'reversedWords',
  allUppercase: 'someCapitals',
  capitalization: 'someCapitals',
  dates: 'ownDates',
  recentYears: 'ownDates',
  associatedYears: 'ownDates',
  sequences: 'sequences',
  repeated: 'repetition',
  longerKeyboardPattern: 'keyboardPatterns',
  anotherWord: 'moreWords',
  useWords: 'moreWords',
  noNeed: 'noSymbolsNeeded',
  pwned: 'changeElsewhere',
} as const
export const STRENGTH_WARNINGS = [...new Set(Object.values(WARNING_KEYS))]
export const STRENGTH_SUGGESTIONS = [...new Set(Object.values(SUGGESTION_KEYS))]
export type StrengthWarning = (typeof WARNING_KEYS)[keyof typeof WARNING_KEYS]
export type StrengthSuggestion = (typeof SUGGESTION_KEYS)[keyof typeof SUGGESTION_KEYS]

/** Feedback comes as our own locale keys, not English, for the caller to translate. */
export type PasswordStrength = {
  score: StrengthScore
  warning: StrengthWarning | null
  suggestions: StrengthSuggestion[]
}

// A key a later zxcvbn-ts adds has no sentence of ours yet: it is left out rather than shown raw.
const ownKey = <T extends Record<string, string>>(keys: T, key: string | null): T[keyof T] | undefined =>
  key !== null && Object.hasOwn(keys, key) ? (keys[key] as T[keyof T]) : undefined

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
  const raw = await passwordWork('score', { password: capped, userInputs })
  const suggestions = raw.suggestions.map((key) => ownKey(SUGGESTION_KEYS, key))
  return {
    score: raw.score as StrengthScore,
    warning: ownKey(WARNING_KEYS, raw.warning) ?? null,
    suggestions: [...new Set(suggestions.filter((key) => key !== undefined))],
  }
}
