import type { Rng } from './prng'
import { base36, type Scramble, scrambleFor } from './scramble'

/** Only domains reserved for documentation (RFC 2606 and the JPRS example names): no real inbox is ever hit. */
export const EMAIL_DOMAINS = [
  'example.com',
  'example.org',
  'example.jp',
  'example.co.jp',
  'example.ne.jp',
] as const

const TOKEN_LENGTH = 5

/** A scramble over 36^5 tokens: one distinct token per person, so no two people share an address. */
export function emailTokensFor(rng: Rng): Scramble {
  return scrambleFor(36 ** TOKEN_LENGTH, rng)
}

function localPart(args: { family: string; given: string; token: string; style: number }): string {
  const { family, given, token } = args
  switch (args.style) {
    case 0:
      return `${given}.${family}.${token}`
    case 1:
      return `${given}_${family}${token}`
    case 2:
      return `${family}.${given}${token}`
    case 3:
      return `${given.charAt(0)}.${family}.${token}`
    default:
      return `${given}${token}`
  }
}

export function emailFor(args: {
  family: string
  given: string
  person: number
  tokens: Scramble
  rng: Rng
  /** Employees all share the company's domain. */
  domain?: string
}): string {
  const { family, given, rng } = args
  const token = base36(args.tokens.apply(args.person), TOKEN_LENGTH)
  return `${localPart({ family, given, token, style: rng.int(5) })}@${args.domain ?? rng.pick(EMAIL_DOMAINS)}`
}
