import type { Config } from '~/config.server'
import type { MemberAccount } from '~db/member-accounts'
import { verifyLegacyPassword } from './password-hash.server'
import { type PasswordStrength, scorePassword } from './password-strength.server'
import { isPwnedPassword } from './pwned-passwords.server'

/**
 * What a member's new password must not be (NIST SP 800-63B-4 §3.1.1.2): long enough, not too long
 * to hash, and not known to attackers. No composition rules: spaces and Japanese are welcome.
 */

export const MAX_PASSWORD_LENGTH = 128

/** Reasons for refusing, in the order they are shown; each is the key `password.refusals.<code>`. */
export const REFUSALS = [
  'tooShort',
  'tooLong',
  'exposedPassword',
  'commonPassword',
  'personalInformation',
  'serviceName',
  'pwned',
  'weak',
] as const
export type Refusal = (typeof REFUSALS)[number]

export type PasswordVerdict = {
  ok: boolean
  refusals: Refusal[]
  /** What to hash: the password as NFKC, so full-width and half-width typing sign in alike. */
  normalised: string
  /** For the meter; null when the length alone already refuses the password. */
  strength: PasswordStrength | null
}

/** zxcvbn 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_STRENGTH_SCORE = 3

/** Shorter words (a two-kanji family name, a 2-digit day) would refuse too many good passwords. */
const MIN_PERSONAL_WORD_LENGTH = 3

const SERVICE_NAMES = ['sekaimon', 'セカイモン', 'せかいもん', 'beenos']

export function normalisePassword(password: string) {
  return password.normalize('NFKC')
}

/** Length as people count it: code points, so an emoji or a kanji outside the BMP is one. */
const lengthOf = (text: string) => [...text].length

// For "contains": case-folded, katakana as hiragana, without the spaces and hyphens people put
// between the parts of a name, a date or a phone number.
function foldForMatching(text: string) {
  return normalisePassword(text)
    .toLowerCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, '')
    .replace(/[\u30a1-\u30f6]/g, (kana) => String.fromCharCode(kana.charCodeAt(0) - 0x60))
}

let commonPasswords: Promise<Set<string>> | undefined

// zxcvbn's 49k common passwords, loaded on first use: the list is only needed when a password is set.
function commonPasswordSet() {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase())),
  )
  return commonPasswords
}

async function isCommonPassword(normalised: string) {
  return (await commonPasswordSet()).has(normalised.toLowerCase())
}

function containsAny({ password, words }: { password: string; words: string[] }) {
  const folded = foldForMatching(password)
  return words.some((word) => {
    const foldedWord = foldForMatching(word)
    return lengthOf(foldedWord) >= MIN_PERSONAL_WORD_LENGTH && folded.includes(foldedWord)
  })
}

export type PersonalRecord = {
  familyName?: string
  givenName?: string
  familyNameKana?: string
  givenNameKana?: string
  email?: string
  birthDate?: string
  phone?: string
}

/** The words of a person's record an attacker who has the leaked record would try first. */
export function personalWordsOf(record: PersonalRecord): string[] {
  const words = [record.familyName, record.givenName, record.familyNameKana, record.givenNameKana]
  words.push(...emailWords(record.email), ...birthDateShapes(record.birthDate), phoneDigits(record.phone))
  return [...new Set(words.filter((word): word is string => Boolean(word?.trim())))]
}

// The local part whole and in its pieces: hanako.sato@ gives hanako, sato and hanako.sato.
function emailWords(email: string | undefined) {
  const local = email?.split('@')[0]
  return local ? [local, ...local.split(/[._+-]/)] : []
}

/** The shapes people type a birth date in, from the record's YYYY-MM-DD. */
function birthDateShapes(birthDate: string | undefined) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(normalisePassword(birthDate ?? '').trim())
  if (!parts) return []
  const [, yyyy = '', mm = '', dd = ''] = parts
  return [
    `${yyyy}${mm}${dd}`,
    `${yyyy.slice(2)}${mm}${dd}`,
    `${mm}${dd}`,
    yyyy,
    `${dd}${mm}${yyyy}`,
    `${mm}${dd}${yyyy}`,
  ]
}

function phoneDigits(phone: string | undefined) {
  return normalisePassword(phone ?? '').replace(/\D/g, '')
}

export type NewPassword = {
  password: string
  minLength: number
  /** The breached shop's bcrypt hash of this member's old password, if there was one. */
  legacyHash?: string
  /** From personalWordsOf. */
  personalWords: string[]
  /** The Pwned Passwords range API; without it only the offline checks run. */
  pwnedPasswordsUrl?: string
}

/** Every reason to refuse the password, and its strength for the meter. */
export async function evaluateNewPassword(input: NewPassword): Promise<PasswordVerdict> {
  const normalised = normalisePassword(input.password)
  const lengthRefusals = lengthRefusalsOf({ normalised, minLength: input.minLength })
  // Nothing else is worth checking (or sending to a worker) for a password of the wrong length.
  if (lengthRefusals.length > 0) return { ok: false, refusals: lengthRefusals, normalised, strength: null }

  const offline = await offlineRefusals({ ...input, normalised })
  const [exposed, pwned, strength] = await Promise.all([
    input.legacyHash ? verifyLegacyPassword({ legacyHash: input.legacyHash, password: normalised }) : false,
    // Only asked for a password that passed everything local: fewer calls, and fewer prefixes out.
    offline.length === 0 && input.pwnedPasswordsUrl
      ? isPwnedPassword({ password: normalised, baseUrl: input.pwnedPasswordsUrl })
      : false,
    scorePassword({ password: normalised, userInputs: input.personalWords }),
  ])
  const found = new Set<Refusal>(offline)
  if (exposed) found.add('exposedPassword')
  if (pwned === true) found.add('pwned')
  if (strength.score < MIN_STRENGTH_SCORE) found.add('weak')
  const refusals = REFUSALS.filter((refusal) => found.has(refusal))
  return { ok: refusals.length === 0, refusals, normalised, strength }
}

/**
 * A member's new password judged as saving judges it: the one home for the inputs, so the strength
 * meter and the refusal on saving never disagree.
 */
export function evaluateMemberPassword({
  password,
  account,
  config,
}: {
  password: string
  account: Pick<MemberAccount, 'legacyPasswordHash' | 'details'>
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PWNED_PASSWORDS_URL'>
}) {
  return evaluateNewPassword({
    password,
    minLength: config.PASSWORD_MIN_LENGTH,
    legacyHash: account.legacyPasswordHash,
    personalWords: personalWordsOf(account.details),
    pwnedPasswordsUrl: config.PWNED_PASSWORDS_URL,
  })
}

function lengthRefusalsOf({ normalised, minLength }: { normalised: string; minLength: number }): Refusal[] {
  const length = lengthOf(normalised)
  if (length < minLength) return ['tooShort']
  return length > MAX_PASSWORD_LENGTH ? ['tooLong'] : []
}

async function offlineRefusals(input: { normalised: string; personalWords: string[] }) {
  const refusals: Refusal[] = []
  if (await isCommonPassword(input.normalised)) refusals.push('commonPassword')
  if (containsAny({ password: input.normalised, words: input.personalWords })) {
    refusals.push('personalInformation')
  }
  if (containsAny({ password: input.normalised, words: SERVICE_NAMES })) refusals.push('serviceName')
  return refusals
}
