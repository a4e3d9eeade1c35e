import bcrypt from 'bcryptjs'
import { DEMO_PEOPLE } from './demo-people'
import { hashString, type Rng, rngAt, streamSeed } from './prng'

/**
 * The old system's password hashes, and how a test learns the password behind one.
 *
 * Every member and employee has one of KNOWN_PASSWORDS, chosen by their ID alone, so
 * `legacyPasswordOf(id)` answers without the generated files and for any seed:
 *
 *   const [row] = parse(members.csv)
 *   bcrypt.compareSync(legacyPasswordOf(row.member_id), row.password_hash) // true
 *
 * It accepts IDs as --messy writes them (full-width, padded) and knows the demo personas' passwords.
 * Hashing a million passwords is far too slow, so each run hashes every known password once per
 * bcrypt variant ($2a$, $2b$, $2y$) at cost 4, with salts drawn from the seed (same seed, same bytes),
 * and rows reuse those hashes.
 */
export const KNOWN_PASSWORDS = [
  'password1',
  'sekaimon123',
  'qwerty2010',
  'sakura1988',
  'Passw0rd!',
  'ilovesekaimon',
  'abc12345',
  'tokyo2020',
  'hanako0401',
  'letmein99',
  'dragon2012',
  'shopping77',
  'iloveyou1',
  'monkey2015',
  '12345678a',
  'auction2019',
] as const

const VARIANTS = ['$2a$', '$2b$', '$2y$'] as const
const COST = '04$'
const SALT_BYTES = 16

const PLAIN_ID = /^[0-9A-Z_a-z]+$/

/** IDs as --messy writes them (Ｍ１２３, padded) mean the same ID; plain ones skip the slow NFKC. */
function canonicalId(id: string): string {
  return (PLAIN_ID.test(id) ? id : id.normalize('NFKC').trim()).toUpperCase()
}

const DEMO_PASSWORDS = new Map<string, string>(
  DEMO_PEOPLE.flatMap((person) =>
    person.legacyPassword
      ? person.ids.map((id) => [canonicalId(id), person.legacyPassword as string] as const)
      : [],
  ),
)

export function legacyPasswordOf(id: string): string {
  const canonical = canonicalId(id)
  return (
    DEMO_PASSWORDS.get(canonical) ??
    (KNOWN_PASSWORDS[hashString(canonical) % KNOWN_PASSWORDS.length] as string)
  )
}

function saltFrom(args: { variant: string; rng: Rng }): string {
  const bytes = Array.from({ length: SALT_BYTES }, () => args.rng.int(256))
  return `${args.variant}${COST}${bcrypt.encodeBase64(bytes, SALT_BYTES)}`
}

function hashWithRng(args: { password: string; variant: string; rng: Rng }): string {
  return bcrypt.hashSync(args.password, saltFrom(args))
}

/** The demo personas' hashes do not depend on the seed: the README can quote them. */
const DEMO_SALT_STREAM = hashString('demo-people')

export class LegacyHashes {
  private readonly pool: string[][]
  private readonly demo = new Map<string, string>()

  constructor(seed: number) {
    const rng = rngAt(streamSeed({ seed, stream: 'salts' }), 0)
    this.pool = KNOWN_PASSWORDS.map((password) =>
      VARIANTS.map((variant) => hashWithRng({ password, variant, rng })),
    )
  }

  /** The hash stored for this ID; the rng picks which of the password's variants the row shows. */
  hashFor(id: string, rng: Rng): string {
    const canonical = canonicalId(id)
    const demoPassword = DEMO_PASSWORDS.get(canonical)
    if (demoPassword) return this.demoHash(canonical, demoPassword)
    const hashes = this.pool[hashString(canonical) % KNOWN_PASSWORDS.length] as string[]
    return rng.pick(hashes)
  }

  private demoHash(id: string, password: string): string {
    let hash = this.demo.get(id)
    if (!hash) {
      const rng = rngAt(DEMO_SALT_STREAM, hashString(id))
      hash = hashWithRng({ password, variant: '$2b$', rng })
      this.demo.set(id, hash)
    }
    return hash
  }
}
