import { canonicalSymbols, grouped, randomSymbols } from '~/codes/crockford'

/**
 * The one-time password a new staff member signs in with first: 16 Crockford
 * base32 symbols from the CSPRNG in four groups (`K7QD-9M2X-4HTR-ZW3P`, 80
 * bits, 19 characters), read out or copied without look-alikes. Valid for
 * 24 hours and only to set a password of one's own; stored only as argon2id.
 */

export const ENROLMENT_PASSWORD_VALID_MS = 24 * 60 * 60 * 1000
const SYMBOLS = 16
const GROUP = 4

export const ENROLMENT_PASSWORD_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}$/

export function newEnrolmentPassword() {
  return grouped(randomSymbols(SYMBOLS), GROUP)
}

export function enrolmentExpiry(now: Date) {
  return new Date(now.getTime() + ENROLMENT_PASSWORD_VALID_MS)
}

/**
 * The enrolment password a typed one would be, however it was typed (lower
 * case, without hyphens, O for 0): a new password that is merely the old one
 * retyped must be refused too. Undefined when it cannot be one.
 */
export function asEnrolmentPassword(typed: string) {
  const symbols = canonicalSymbols(typed, { withCheck: false })
  return symbols?.length === SYMBOLS ? grouped(symbols, GROUP) : undefined
}
