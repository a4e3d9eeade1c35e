import { createCipheriv, createDecipheriv, createHash, randomFillSync } from 'node:crypto'

/**
 * Personal data at rest: AES-256-GCM with a fresh random IV per value. The
 * associated data names the row and field a value belongs to, so a ciphertext
 * copied into another row or field fails to open. The key's ID travels with
 * the ciphertext, so old keys can keep opening old rows after a rotation.
 *
 * Layout: version (1) | key ID (2) | IV (12) | tag (16) | ciphertext.
 */

const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + 2 + IV_BYTES + TAG_BYTES

export type DataKey = { id: number; key: Buffer }

export type Keyring = {
  current: DataKey
  byId: Map<number, DataKey>
}

/** The ID is derived from the key itself, so no one has to number keys by hand. */
export function dataKeyFrom(base64: string): DataKey {
  const key = Buffer.from(base64, 'base64')
  if (key.length !== 32) throw new Error('a data key must be 32 bytes')
  const id = createHash('sha256').update('portal-data-key-id').update(key).digest().readUInt16BE(0)
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

// IVs are cut from a block of CSPRNG output: one system call per 4,096 IVs instead of one each.
const ivPool = Buffer.alloc(IV_BYTES * 4096)
let ivOffset = ivPool.length

function nextIv() {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool)
    ivOffset = 0
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES)
  ivOffset += IV_BYTES
  return iv
}

export function seal({
  keyring,
  context,
  plaintext,
}: {
  keyring: Keyring
  context: SealContext
  plaintext: Buffer | string
}) {
  const { id, key } = keyring.current
  const iv = nextIv()
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(context))
  const body = cipher.update(plaintext)
  cipher.final()
  const sealed = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  sealed.writeUInt8(VERSION, 0)
  sealed.writeUInt16BE(id, 1)
  iv.copy(sealed, 3)
  cipher.getAuthTag().copy(sealed, 3 + IV_BYTES)
  body.copy(sealed, HEADER_BYTES)
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
  if (buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== VERSION) throw new UnsealError('unknown format')
  const dataKey = keyring.byId.get(buffer.readUInt16BE(1))
  if (!dataKey) throw new UnsealError('sealed with a key this installation does not have')
  const iv = buffer.subarray(3, 3 + IV_BYTES)
  const tag = buffer.subarray(3 + IV_BYTES, HEADER_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', dataKey.key, iv)
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(buffer.subarray(HEADER_BYTES)), decipher.final()])
  } catch {
    throw new UnsealError('the value does not belong here or was altered')
  }
}

/** Seals a JSON-serialisable record as one value. */
export function sealJson<T>(args: { keyring: Keyring; context: SealContext; value: T }) {
  return seal({ keyring: args.keyring, context: args.context, plaintext: JSON.stringify(args.value) })
}

export function unsealJson<T>(args: { keyring: Keyring; context: SealContext; sealed: Uint8Array }): T {
  return JSON.parse(unseal(args).toString('utf8')) as T
}

export function keyIdOf(sealed: Uint8Array) {
  return Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).readUInt16BE(1)
}
