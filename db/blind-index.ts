import { createHash, createHmac, createSecretKey } from 'node:crypto'

/**
 * Keyed blind indexes: HMAC-SHA256 over a value's normalised form, under a key
 * separate from the encryption key, kept to 128 bits. Equal values give equal
 * digests, so rows are found without decrypting; without the key, a digest
 * says nothing, not even for a guessed phone number.
 */

export const BLIND_INDEX_BYTES = 16

export type BlindIndexKind =
  | 'email'
  | 'phone'
  | 'member-id'
  | 'buyer-id'
  | 'employee-id'
  | 'staff-id'
  | 'kana-birth'
  | 'letter-code'
  | 'message-ref'
  | 'card'
  | 'email-code'
  | 'email-change'
  // The client IP an audit entry records: its own kind, so it matches no rate-limit key.
  | 'audit-client-ip'
  // Its own kind, so a staff member's index says nothing about whether they are also a customer.
  | 'staff-email'
  // A staff member's one-time recovery codes, stored only as this keyed hash.
  | 'staff-recovery-code'

export type BlindIndexer = (kind: BlindIndexKind, normalised: string) => Buffer

export function createBlindIndexer(base64Key: string): BlindIndexer {
  const raw = Buffer.from(base64Key, 'base64')
  if (raw.length !== 32) throw new Error('the index key must be 32 bytes')
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

/** An index key's ID, derived from the key as a data key's is: what `portal_meta` records digests under. */
export function indexKeyIdOf(base64Key: string) {
  const raw = Buffer.from(base64Key, 'base64')
  return createHash('sha256')
    .update('portal-index-key-id')
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
