import { emailTokensFor } from './emails'
import { LegacyHashes } from './legacy-passwords'
import { type PhoneBook, phoneBookFor } from './phones'
import { hashString, rngAt, streamSeed } from './prng'
import { type Scramble, scrambleFor } from './scramble'

/**
 * Everything a record needs besides its own row number: the seeded streams, the scrambles that keep
 * phones, e-mails and buyer IDs distinct, and the legacy hash pool. People are numbered across all
 * cohorts (members first, then buyers, then employees) and that number feeds the scrambles.
 */
export interface World {
  seed: number
  counts: { members: number; buyers: number; employees: number; staff: number }
  streams: { member: number; buyer: number; employee: number; staff: number }
  phones: PhoneBook
  emailTokens: Scramble
  buyerTokens: Scramble
  hashes: LegacyHashes
}

/** A seed is any text; numbers and words both work, and the same text always means the same run. */
export function seedNumber(seed: string): number {
  return hashString(seed)
}

export function createWorld(args: { seed: string; counts: World['counts'] }): World {
  const seed = seedNumber(args.seed)
  const stream = (name: string) => streamSeed({ seed, stream: name })
  const scrambles = rngAt(stream('scramble'), 0)
  return {
    seed,
    counts: args.counts,
    streams: {
      member: stream('member'),
      buyer: stream('buyer'),
      employee: stream('employee'),
      staff: stream('staff'),
    },
    phones: phoneBookFor(scrambles),
    emailTokens: emailTokensFor(scrambles),
    buyerTokens: scrambleFor(36 ** 5, scrambles),
    hashes: new LegacyHashes(seed),
  }
}
