import { createRequire } from 'node:module'

/**
 * The few libsodium calls the portal makes, through sodium-native (prebuilt
 * binaries, no compiler needed), typed here: the published type package
 * describes sodium-native 2. Loaded with `require` so the server bundle
 * leaves the native module where npm put it.
 */
export type Sodium = {
  crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
  crypto_aead_xchacha20poly1305_ietf_ABYTES: number
  /** Writes ciphertext and tag into `c` (m.length + ABYTES); returns the bytes written. */
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Buffer,
    m: Buffer,
    ad: Buffer | null,
    nsec: null,
    npub: Buffer,
    k: Buffer,
  ): number
  /** Throws when the tag does not match. */
  crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Buffer,
    nsec: null,
    c: Buffer,
    ad: Buffer | null,
    npub: Buffer,
    k: Buffer,
  ): number
  /** Keyed BLAKE2b, `out.length` bytes (16 to 64). */
  crypto_generichash(out: Buffer, input: Buffer, key?: Buffer): void
  randombytes_buf(buffer: Buffer): void
  /** Memory that is never swapped out and is wiped when freed. */
  sodium_malloc(size: number): Buffer
}

const require = createRequire(import.meta.url)
export const sodium = require('sodium-native') as Sodium
