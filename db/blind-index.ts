import { createHmac, createSecretKey } from 'node:crypto'

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
