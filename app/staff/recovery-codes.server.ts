import { canonicalSymbols, grouped, randomSymbols } from '~/codes/crockford'
import type { PortalCrypto } from '~db/portal-crypto'

/**
 * Recovery codes: ten one-time codes shown once, when the authenticator app
 * is enrolled, for the day the phone is lost. Each is 10 Crockford symbols
 * (50 bits) in two groups (`K7QD9-M2X4H`), so it cannot be mistaken for a
 * six-digit app code, and is stored only as a keyed hash bound to its owner.
 */

export const RECOVERY_CODE_COUNT = 10
const SYMBOLS = 10
const GROUP = 5

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => grouped(randomSymbols(SYMBOLS), GROUP))
}

/** A typed recovery code as its canonical symbols (case, hyphens, look-alikes forgiven), or undefined. */
export function readRecoveryCode(typed: string) {
  const symbols = canonicalSymbols(typed, { withCheck: false })
  return symbols?.length === SYMBOLS ? symbols : undefined
}

/** The stored form: keyed, and bound to the member, so one person's code is nobody else's. */
export function recoveryCodeHash(index: PortalCrypto['index'], staffId: string, code: string) {
  return index('staff-recovery-code', recoveryCodeInput(staffId, code))
}

/**
 * What a typed code is spent by: its hash under the current index key and the
 * previous one. A code is stored only as its hash, which a rotation cannot
 * make again without the code, so codes handed out before the index key
 * changed are accepted under the key they were hashed with.
 */
export function recoveryCodeLookup(lookup: PortalCrypto['lookup'], staffId: string, code: string) {
  return lookup('staff-recovery-code', recoveryCodeInput(staffId, code))
}

function recoveryCodeInput(staffId: string, code: string) {
  const symbols = readRecoveryCode(code)
  if (!symbols) throw new Error('not a recovery code')
  return `${staffId}:${symbols}`
}
