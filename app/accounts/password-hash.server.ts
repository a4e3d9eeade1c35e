import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'
import { passwordWork } from './password-work.server'

/**
 * How members' passwords are stored (argon2id) and how the breached shop's bcrypt hashes are checked.
 * Every function here takes the password already normalised by the policy (NFKC), so the same
 * password typed in full-width or half-width characters always gives the same hash.
 */

/** OWASP Password Storage Cheat Sheet's argon2id minimum: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMETERS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const

// The parameters without the algorithm: the helper always makes argon2id.
const { type: _argon2id, ...argon2Options } = ARGON2_PARAMETERS

/** An argon2id hash, made in the low-priority password helper (password-work.server.ts). */
export function hashPassword(normalised: string): Promise<string> {
  return passwordWork('hash', { password: normalised, options: argon2Options })
}

/** False, never an exception, for a malformed hash: a damaged row must not become a 500 on sign-in. */
export async function verifyPassword({ hash, password }: { hash: string; password: string }) {
  try {
    return await passwordWork('verify', { hash, password })
  } catch {
    return false
  }
}

/** True when the hash was made with other parameters (or is not argon2id), so sign-in should rehash it. */
export function needsRehash(hash: string): boolean {
  if (!hash.startsWith('$argon2id$')) return true
  try {
    return argon2.needsRehash(hash, ARGON2_PARAMETERS)
  } catch {
    return true
  }
}

// A hash of a random secret nobody knows, with the current parameters, made once per process
// on first use (not at import, which would start the password helper in every command).
let unknownAccountHash: Promise<string> | undefined

/**
 * The same argon2 work as verifying a real member, for a sign-in with an unknown e-mail address:
 * without it, "no such account" answers measurably faster and tells who is a member.
 */
export async function spendVerifyTime(password: string): Promise<false> {
  unknownAccountHash ??= hashPassword(randomBytes(32).toString('base64'))
  await verifyPassword({ hash: await unknownAccountHash, password })
  return false
}

// Cost 04-31, 22 characters of salt and 31 of digest in bcrypt's own base64.
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

/**
 * Whether the password is the one behind the legacy shop's bcrypt hash. The native module compares
 * in the password helper, so a cost-10 hash does not hold up other requests. It hashes the first
 * 72 bytes, as the legacy system did: the caller passes the password as that system received it.
 */
export async function verifyLegacyPassword({
  legacyHash,
  password,
}: {
  legacyHash: string
  password: string
}) {
  if (!BCRYPT_HASH.test(legacyHash)) return false
  try {
    return await passwordWork('legacy', { password, hash: asNativePrefix(legacyHash) })
  } catch {
    return false
  }
}

// $2y$ (PHP's crypt) is the same algorithm as $2b$, but native bcrypt answers false to it.
function asNativePrefix(legacyHash: string) {
  return legacyHash.startsWith('$2y$') ? `$2b$${legacyHash.slice(4)}` : legacyHash
}
