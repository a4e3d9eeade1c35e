import { createHash, createHmac, createSecretKey } from 'node:crypto'
import { sodium } from './sodium'

/**
 * Keyed blind indexes: a keyed hash of a value's normalised form, under a key
 * separate from the encryption key, kept to 128 bits. Equal values give equal
 * digests, so rows are found without decrypting; without the key, a digest
 * says nothing, not even for a guessed phone number.
 *
 * - Suite `blake2b` (digests made now): keyed BLAKE2b through libsodium, with
 *   a key per kind derived from the index key, as CipherSweet derives a key
 *   per field. One native call a digest, about a seventh of an HMAC's cost
 *   through node:crypto.
 * - Suite `hmac-sha256` (digests made before): HMAC-SHA256 over the kind and
 *   the value. Kept so a database indexed under it is served while
 *   `npm run keys:rotate` recomputes its digests under `blake2b`.
 *
 * A digest does not say which suite made it: an index key's ID does (see
 * `indexKeyIdOf`), and `portal_meta` records the ID the digests are under.
 */

export const BLIND_INDEX_BYTES = 16

export const INDEX_SUITES = ['blake2b', 'hmac-sha256'] as const
export type IndexSuite = (typeof INDEX_SUITES)[number]
export const CURRENT_INDEX_SUITE: IndexSuite = 'blake2b'

export const BLIND_INDEX_KINDS = [
  'email',
  'phone',
  'member-id',
  'buyer-id',
  'employee-id',
  'staff-id',
  'kana-birth',
  'letter-code',
  'message-ref',
  'card',
  'email-code',
  'email-change',
  // The client IP an audit entry records: its own kind, so it matches no rate-limit key.
  'audit-client-ip',
  // Its own kind, so a staff member's index says nothing about whether they are also a customer.
  'staff-email',
  // A staff member's one-time recovery codes, stored only as this keyed hash.
  'staff-recovery-code',
] as const

export type BlindIndexKind = (typeof BLIND_INDEX_KINDS)[number]

export type BlindIndexer = (kind: BlindIndexKind, normalised: string) => Buffer

export function createBlindIndexer(base64Key: string, suite: IndexSuite = CURRENT_INDEX_SUITE): BlindIndexer {
  const raw = Buffer.from(base64Key, 'base64')
  if (raw.length !== 32) throw new Error('the index key must be 32 bytes')
  return suite === 'blake2b' ? blake2bIndexer(raw) : hmacIndexer(raw)
}

const KIND_KEY_BYTES = 32
// Wide enough for any normalised value the portal indexes; a longer one is copied on its own.
const SCRATCH_BYTES = 1024

// Locked memory is a small budget per process (see `dataKeyFrom`): one allocation per index key
// holds every kind's key, and a key is derived once however often an indexer is made.
const kindKeysOf = new Map<string, Map<BlindIndexKind, Buffer>>()

function kindKeys(raw: Buffer) {
  const id = raw.toString('base64')
  const kept = kindKeysOf.get(id)
  if (kept) return kept
  const locked = sodium.sodium_malloc(KIND_KEY_BYTES * BLIND_INDEX_KINDS.length)
  const keys = new Map<BlindIndexKind, Buffer>()
  BLIND_INDEX_KINDS.forEach((kind, i) => {
    const key = locked.subarray(i * KIND_KEY_BYTES, (i + 1) * KIND_KEY_BYTES)
    // The kind's key is BLAKE2b of its name under the index key: unrelated keys, so the same text
    // as an e-mail and as an ID gives unrelated digests.
    sodium.crypto_generichash(key, Buffer.from(`portal-blind-index:${kind}`), raw)
    keys.set(kind, key)
  })
  kindKeysOf.set(id, keys)
  return keys
}

function blake2bIndexer(raw: Buffer): BlindIndexer {
  const keys = kindKeys(raw)
  const scratch = Buffer.allocUnsafe(SCRATCH_BYTES)
  return (kind, normalised) => {
    const key = keys.get(kind)
    if (!key) throw new Error(`no blind index kind ${kind}`)
    // Encoded into a reused buffer: no allocation for the input, only for the digest kept.
    const input =
      normalised.length * 3 <= SCRATCH_BYTES
        ? scratch.subarray(0, scratch.write(normalised))
        : Buffer.from(normalised)
    const digest = Buffer.allocUnsafe(BLIND_INDEX_BYTES)
    sodium.crypto_generichash(digest, input, key)
    return digest
  }
}

function hmacIndexer(raw: Buffer): BlindIndexer {
  // A KeyObject is imported once; a raw key would be imported again on every digest.
  const key = createSecretKey(raw)
  // The kind is part of the MAC, so the same text as an e-mail and as an ID gives unrelated digests.
  return (kind, normalised) =>
    createHmac('sha256', key)
      .update(kind)
      .update('\u0000')
      .update(normalised)
      .digest()
      .subarray(0, BLIND_INDEX_BYTES)
}

/**
 * An index key's ID under a suite, derived from the key as a data key's is:
 * what `portal_meta` records digests under. The same key has another ID under
 * each suite, since its digests differ.
 */
export function indexKeyIdOf(base64Key: string, suite: IndexSuite = CURRENT_INDEX_SUITE) {
  const raw = Buffer.from(base64Key, 'base64')
  return createHash('sha256')
    .update(suite === 'hmac-sha256' ? 'portal-index-key-id' : `portal-index-key-id:${suite}`)
    .update(raw)
    .digest()
    .subarray(0, 4)
    .toString('hex')
}

/**
 * The digests a typed value is looked up by: under the current index key and,
 * while a rotation from the previous one is not finished, under that one too.
 * Always two, the second the first again when there is no previous key, so
 * every lookup statement has one shape (`in (?, ?)`) and costs the same for a
 * known value and an unknown one.
 */
export type IndexLookup = (kind: BlindIndexKind, normalised: string) => LookupDigests

/**
 * What a lookup finds a stored digest by: the typed value's digest under the
 * current index key, then under the previous one. A parameter of this type
 * cannot be given a lone digest under the current key by mistake.
 */
export type LookupDigests = readonly [current: Buffer, previous: Buffer]

export function createIndexLookup(current: BlindIndexer, previous?: BlindIndexer): IndexLookup {
  if (!previous)
    return (kind, normalised) => {
      const digest = current(kind, normalised)
      return [digest, digest]
    }
  return (kind, normalised) => [current(kind, normalised), previous(kind, normalised)]
}
