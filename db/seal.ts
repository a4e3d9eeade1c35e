import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { sodium } from './sodium'

/**
 * Personal data at rest. The associated data names the row and field a value
 * belongs to, so a ciphertext copied into another row or field fails to open.
 * The first byte says which suite sealed a value and the next two which key,
 * so old values keep opening while new ones are sealed under the current key
 * and suite (see `npm run keys:status`).
 *
 * - Suite 2 (new values): XChaCha20-Poly1305 through libsodium, as
 *   CipherSweet's "modern" suite. Its 192-bit random nonce never needs
 *   counting, and one native call seals a value (about a fifth of the cost of
 *   a node:crypto cipher object a value).
 *   Layout: 2 | key ID (2) | nonce (24) | ciphertext | tag (16).
 * - Suite 1 (values sealed before): AES-256-GCM through node:crypto.
 *   Layout: 1 | key ID (2) | IV (12) | tag (16) | ciphertext.
 */

export const SEAL_SUITES = { 1: 'AES-256-GCM', 2: 'XChaCha20-Poly1305' } as const
export type SealSuite = keyof typeof SEAL_SUITES
export const CURRENT_SUITE: SealSuite = 2

const KEY_ID_END = 3
const GCM_IV_BYTES = 12
const GCM_TAG_BYTES = 16
const GCM_HEADER_BYTES = KEY_ID_END + GCM_IV_BYTES + GCM_TAG_BYTES
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
const HEADER_BYTES = KEY_ID_END + NONCE_BYTES

export type DataKey = { id: number; key: Buffer }

export type Keyring = {
  current: DataKey
  byId: Map<number, DataKey>
}

// Locked memory is a small budget per process (8 MiB by default, a few pages per allocation, and a
// failed allocation aborts the process): each distinct key is kept once, however often a keyring is made.
const keptKeys = new Map<string, DataKey>()

/** The ID is derived from the key itself, so no one has to number keys by hand. */
export function dataKeyFrom(base64: string): DataKey {
  const kept = keptKeys.get(base64)
  if (kept) return kept
  const dataKey = lockedDataKey(base64)
  keptKeys.set(base64, dataKey)
  return dataKey
}

function lockedDataKey(base64: string): DataKey {
  const raw = Buffer.from(base64, 'base64')
  if (raw.length !== 32) throw new Error('a data key must be 32 bytes')
  const id = createHash('sha256').update('portal-data-key-id').update(raw).digest().readUInt16BE(0)
  // Kept in memory that is never swapped to disk.
  const key = sodium.sodium_malloc(32)
  raw.copy(key)
  raw.fill(0)
  return { id, key }
}

export function createKeyring({ current, previous = [] }: { current: string; previous?: string[] }): Keyring {
  const currentKey = dataKeyFrom(current)
  const byId = new Map([[currentKey.id, currentKey]])
  for (const old of previous) {
    const key = dataKeyFrom(old)
    if (!byId.has(key.id)) byId.set(key.id, key)
  }
  return { current: currentKey, byId }
}

/** Where a sealed value lives: table, row and field, bound into the ciphertext. */
export type SealContext = string

// Nonces are cut from a block of CSPRNG output: one call per 2,048 values instead of one each.
const noncePool = Buffer.alloc(NONCE_BYTES * 2048)
let nonceOffset = noncePool.length

function nextNonce(into: Buffer) {
  if (nonceOffset === noncePool.length) {
    sodium.randombytes_buf(noncePool)
    nonceOffset = 0
  }
  noncePool.copy(into, 0, nonceOffset, nonceOffset + NONCE_BYTES)
  nonceOffset += NONCE_BYTES
}

/** What to seal, where it lives, and the keyring whose current key seals it. */
export type SealArgs = { keyring: Keyring; context: SealContext; plaintext: Buffer | string }

export function seal({ keyring, context, plaintext }: SealArgs) {
  const { id, key } = keyring.current
  const message = typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext
  const sealed = Buffer.allocUnsafe(HEADER_BYTES + message.length + TAG_BYTES)
  sealed.writeUInt8(CURRENT_SUITE, 0)
  sealed.writeUInt16BE(id, 1)
  const nonce = sealed.subarray(KEY_ID_END, HEADER_BYTES)
  nextNonce(nonce)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    sealed.subarray(HEADER_BYTES),
    message,
    Buffer.from(context),
    null,
    nonce,
    key,
  )
  return sealed
}

export class UnsealError extends Error {
  override name = 'UnsealError'
}

export function unseal({
  keyring,
  context,
  sealed,
}: {
  keyring: Keyring
  context: SealContext
  sealed: Uint8Array
}) {
  const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  const suite = suiteOf(buffer)
  if (suite === undefined) throw new UnsealError('unknown format')
  const dataKey = keyring.byId.get(buffer.readUInt16BE(1))
  if (!dataKey) throw new UnsealError('sealed with a key this installation does not have')
  return suite === 2 ? openXChaCha(buffer, dataKey.key, context) : openGcm(buffer, dataKey.key, context)
}

function openXChaCha(buffer: Buffer, key: Buffer, context: SealContext) {
  const opened = Buffer.allocUnsafe(buffer.length - HEADER_BYTES - TAG_BYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      opened,
      null,
      buffer.subarray(HEADER_BYTES),
      Buffer.from(context),
      buffer.subarray(KEY_ID_END, HEADER_BYTES),
      key,
    )
  } catch {
    throw new UnsealError('the value does not belong here or was altered')
  }
  return opened
}

function openGcm(buffer: Buffer, key: Buffer, context: SealContext) {
  const iv = buffer.subarray(KEY_ID_END, KEY_ID_END + GCM_IV_BYTES)
  const tag = buffer.subarray(KEY_ID_END + GCM_IV_BYTES, GCM_HEADER_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(buffer.subarray(GCM_HEADER_BYTES)), decipher.final()])
  } catch {
    throw new UnsealError('the value does not belong here or was altered')
  }
}

/**
 * Seals under suite 1, as values were before suite 2: only for tests and
 * benchmarks that need such a value to open.
 */
export function sealWithAesGcm({ keyring, context, plaintext }: SealArgs) {
  const { id, key } = keyring.current
  const iv = randomBytes(GCM_IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(context))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const sealed = Buffer.allocUnsafe(GCM_HEADER_BYTES + body.length)
  sealed.writeUInt8(1, 0)
  sealed.writeUInt16BE(id, 1)
  iv.copy(sealed, KEY_ID_END)
  cipher.getAuthTag().copy(sealed, KEY_ID_END + GCM_IV_BYTES)
  body.copy(sealed, GCM_HEADER_BYTES)
  return sealed
}

/** Seals a JSON-serialisable record as one value. */
export function sealJson<T>(args: { keyring: Keyring; context: SealContext; value: T }) {
  return seal({ keyring: args.keyring, context: args.context, plaintext: JSON.stringify(args.value) })
}

export function unsealJson<T>(args: { keyring: Keyring; context: SealContext; sealed: Uint8Array }): T {
  return JSON.parse(unseal(args).toString('utf8')) as T
}

/** The suite a value was sealed with, or undefined for bytes that are no sealed value. */
export function suiteOf(sealed: Uint8Array): SealSuite | undefined {
  const version = sealed[0]
  if (version === 2 && sealed.byteLength >= HEADER_BYTES + TAG_BYTES) return 2
  if (version === 1 && sealed.byteLength >= GCM_HEADER_BYTES) return 1
  return undefined
}

export function keyIdOf(sealed: Uint8Array) {
  return Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).readUInt16BE(1)
}
