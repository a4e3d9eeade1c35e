import { randomSymbols } from '~/codes/crockford'

/**
 * A staff member's public ID: `S` and 10 Crockford base32 symbols from the
 * CSPRNG (50 bits). It names the account in URLs, the audit log and the
 * command's output, so it must say nothing about the person, and a random
 * one cannot be counted through as a sequence could.
 */
export const STAFF_ID_SYMBOLS = 10
export const STAFF_ID_PATTERN = /^S[0-9A-HJKMNP-TV-Z]{10}$/

export function newStaffId() {
  return `S${randomSymbols(STAFF_ID_SYMBOLS)}`
}
