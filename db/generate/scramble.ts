import type { Rng } from './prng'

/**
 * Unique-looking numbers without a lookup table: x ↦ (a·x + b) mod m is a bijection on [0, m) when a
 * shares no factor with m. Giving each person a distinct x (their position among all people) then
 * gives every person a distinct phone number, e-mail token and buyer ID, so the importer never links
 * two strangers by accident, at any size up to m people.
 */
export interface Scramble {
  readonly modulus: number
  apply(x: number): number
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/** The products stay below 2^53 for moduli up to 10^8 and x below 10^7, the generator's limit. */
export function scrambleFor(modulus: number, rng: Rng): Scramble {
  let multiplier = Math.floor(modulus * (0.3 + 0.4 * rng.next())) | 1
  while (gcd(multiplier, modulus) !== 1) multiplier += 2
  const offset = rng.int(modulus)
  return {
    modulus,
    apply: (x) => ((multiplier % modulus) * x + offset) % modulus,
  }
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A number as exactly `length` base-36 characters. */
export function base36(value: number, length: number): string {
  let out = ''
  let rest = value
  for (let i = 0; i < length; i++) {
    out = BASE36.charAt(rest % 36) + out
    rest = Math.floor(rest / 36)
  }
  return out
}
