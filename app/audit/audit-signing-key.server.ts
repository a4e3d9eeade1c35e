import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'

/**
 * The Ed25519 key that signs audit checkpoints. Configured as its 32-byte
 * seed (base64), which is all an Ed25519 private key is; node:crypto takes it
 * wrapped in the fixed PKCS#8 header below. The verifier needs only the public
 * half, derived here.
 */

// PKCS#8 DER of an Ed25519 private key up to the seed (RFC 8410, section 7).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

export type AuditSigningKey = {
  privateKey: KeyObject
  verifier: AuditVerifyingKey
}

export type AuditVerifyingKey = {
  publicKey: KeyObject
  /** A short name of the public key, written beside each signature to tell keys apart. */
  keyId: string
}

export function auditSigningKey(base64Seed: string): AuditSigningKey {
  const seed = Buffer.from(base64Seed, 'base64')
  if (seed.length !== 32) throw new Error('the audit signing key must be 32 bytes')
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  return { privateKey, verifier: verifyingKey(createPublicKey(privateKey)) }
}

function verifyingKey(publicKey: KeyObject): AuditVerifyingKey {
  const der = publicKey.export({ format: 'der', type: 'spki' })
  return { publicKey, keyId: createHash('sha256').update(der).digest('hex').slice(0, 16) }
}

export function signBytes(key: AuditSigningKey, message: Buffer): Buffer {
  // Ed25519 hashes internally: the algorithm argument must be null.
  return sign(null, message, key.privateKey)
}

export function verifyBytes(key: AuditVerifyingKey, message: Buffer, signature: Buffer): boolean {
  return signature.length === 64 && verify(null, message, key.publicKey, signature)
}
