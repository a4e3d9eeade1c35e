import { createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto'

/**
 * The portal's own cookies (session, CSRF) hold one random token each and
 * nothing else, so they are written and read by hand rather than through
 * Remix's JSON-in-base64 cookie format.
 */

const TOKEN_BYTES = 32
// 32 bytes in base64url without padding: anything else is not one of ours and is ignored.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A fresh random token: 32 bytes from the CSPRNG, base64url. */
export function randomToken() {
  return randomBytes(TOKEN_BYTES).toString('base64url')
}

/**
 * In production the `__Host-` prefix makes the browser refuse the cookie
 * unless it is Secure, host-only and for Path=/, so a sibling subdomain cannot
 * plant or shadow it. Plain HTTP on localhost cannot carry such a cookie.
 */
export function cookieName(base: string, isProduction: boolean) {
  return isProduction ? `__Host-${base}` : base
}

/** The token in the named cookie, if the request carries one of the right shape. */
export function readTokenCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('Cookie')
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    const value = pair.slice(separator + 1).trim()
    return TOKEN_SHAPE.test(value) ? value : undefined
  }
  return undefined
}

export function serializeTokenCookie({
  name,
  value,
  isProduction,
  maxAgeSeconds,
  sameSite = 'Lax',
}: {
  name: string
  value: string
  isProduction: boolean
  /** Omitted: the cookie lasts until the browser closes. */
  maxAgeSeconds?: number
  /** Lax for customers, who arrive by a link in an e-mail; Strict for staff, who never need to. */
  sameSite?: 'Lax' | 'Strict'
}) {
  const attributes = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${sameSite}`]
  if (isProduction) attributes.push('Secure')
  if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${maxAgeSeconds}`)
  return attributes.join('; ')
}

/** A Set-Cookie that makes the browser forget the cookie (same attributes, or a __Host- cookie is not replaced). */
export function clearTokenCookie({
  name,
  isProduction,
  sameSite,
}: {
  name: string
  isProduction: boolean
  sameSite?: 'Lax' | 'Strict'
}) {
  return `${serializeTokenCookie({ name, value: '', isProduction, maxAgeSeconds: 0, sameSite })}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`
}

/**
 * A key for one purpose, derived from SESSION_SECRET with HKDF, so the session
 * hash and the CSRF signature never share a key and neither is the secret itself.
 */
export function purposeKey(secret: string, purpose: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, '', `portal:${purpose}`, 32)))
}

/** The session secrets, newest first: the first signs, every one verifies. */
export type SessionSecrets = readonly [string, ...string[]]

/**
 * How a cookie's token is kept in the database: as an HMAC under a key for
 * `purpose`, never as itself. New tokens are hashed under the first secret.
 * A token stored before the secrets changed is found under the secret it was
 * stored with, asked of `isStored` (only while more than one is configured:
 * with one secret nothing extra is looked up).
 */
export function tokenHashes(
  secrets: SessionSecrets,
  purpose: string,
  isStored: (hash: Buffer) => Promise<boolean>,
) {
  const [first, ...previous] = secrets.map((secret) => purposeKey(secret, purpose)) as [
    KeyObject,
    ...KeyObject[],
  ]
  const under = (key: KeyObject, token: string) => createHmac('sha256', key).update(token).digest()
  return {
    /** The hash a new token is stored under. */
    fresh: (token: string) => under(first, token),
    /** The hash an existing token is stored under: the first secret's, unless an older one's is stored. */
    async stored(token: string) {
      const current = under(first, token)
      if (previous.length === 0 || (await isStored(current))) return current
      for (const key of previous) {
        const hash = under(key, token)
        if (await isStored(hash)) return hash
      }
      return current
    },
  }
}
