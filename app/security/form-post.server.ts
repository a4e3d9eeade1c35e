import { type AppLoadContext, data } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { clientIp, ipBlockLimitKey, ipLimitKey } from '~/security/client-ip.server'
import { PERSONAL_PAGE_HEADERS } from '~/security/personal-page.server'
import { checkLimit, hitLimit, type Limit, type LimitCheck, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { checkFormToken } from '~/session/csrf.server'

/**
 * The checks before a form post's action does anything (same origin, CSRF
 * token, the client's limits), and counting its failures against the client:
 * shared by the identity checks, sign-in and the account pages.
 */

export type GuardedPost =
  | { refused: false; form: FormData; ip: ClientKeys }
  | { refused: true; response: ReturnType<typeof tooManyRequests> | ReturnType<typeof formExpired> }

/**
 * For actions: refuses a cross-site post (403, thrown), a form whose token
 * expired (403, the form sent back, see `formExpired`) and a client over its
 * limits (429), before any lookup; counts the post against the client.
 */
export async function readGuardedPost(
  request: Request,
  context: Pick<AppLoadContext, 'clientIp'>,
  echo: Record<string, string> = {},
): Promise<GuardedPost> {
  const form = await request.formData()
  const token = await checkFormToken(request, form)
  if (token.expired) return { refused: true, response: formExpired(form, token) }
  const ip = clientKeys(clientIp(context))
  const failures = await firstLimited(
    ip,
    (limit, key) => checkLimit(db(), portalCrypto(), limit, key),
    'failures',
  )
  const posts = failures.limited
    ? failures
    : await firstLimited(ip, (limit, key) => hitLimit(db(), portalCrypto(), limit, key), 'checks')
  if (posts.limited) return { refused: true, response: tooManyRequests(posts, { echo }) }
  return { refused: false, form, ip }
}

/**
 * As `readGuardedPost`, for a form with files: the client's limits (and
 * `limit`, the upload's own) are checked before a byte of the body is read,
 * then `read` streams it, then its token is checked. On any refusal, what
 * `read` kept is discarded.
 */
export async function readGuardedUpload<T extends { form: FormData; discard: () => Promise<void> }>(
  request: Request,
  context: Pick<AppLoadContext, 'clientIp'>,
  { read, limit }: { read: (request: Request) => Promise<T>; limit: Limit },
): Promise<{ refused: false; upload: T; ip: ClientKeys } | Extract<GuardedPost, { refused: true }>> {
  const ip = clientKeys(clientIp(context))
  const failures = await firstLimited(
    ip,
    (each, key) => checkLimit(db(), portalCrypto(), each, key),
    'failures',
  )
  const posts = failures.limited ? failures : await hitLimit(db(), portalCrypto(), limit, ip.address)
  if (posts.limited) return { refused: true, response: tooManyRequests(posts, { echo: {} }) }
  const upload = await read(request)
  const token = await checkFormToken(request, upload.form)
  if (token.expired) {
    await upload.discard()
    return { refused: true, response: formExpired(upload.form, token) }
  }
  return { refused: false, upload, ip }
}

// What a form sent back for an expired token keeps of what was typed: nothing secret (never a
// password or a second factor), only what a person would be annoyed to type again.
const KEPT_ON_EXPIRY = [
  'email',
  'code',
  'reference',
  'address',
  'reason',
  'otherReason',
  'number',
  'description',
] as const

/**
 * The form sent back when its token expired (the browser was closed and forgot
 * the CSRF cookie): 403, nothing done, the harmless fields as typed, and a
 * fresh token (with its cookie) that `CsrfField` puts in the form and that
 * tells it to say what happened.
 */
function formExpired(form: FormData, fresh: { token: string; setCookie?: string }) {
  const kept: Partial<Record<(typeof KEPT_ON_EXPIRY)[number], string>> = {}
  for (const field of KEPT_ON_EXPIRY) {
    const value = form.get(field)
    if (typeof value === 'string') kept[field] = value.slice(0, 2000)
  }
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  if (fresh.setCookie) headers.append('Set-Cookie', fresh.setCookie)
  return data({ ...kept, formExpiredToken: fresh.token }, { status: 403, headers })
}

/** A failed attempt, counted against the client (its address, and its IPv6 /48). */
export async function countFailure(ip: ClientKeys): Promise<LimitCheck> {
  return firstLimited(ip, (limit, key) => hitLimit(db(), portalCrypto(), limit, key), 'failures')
}

/** What a client's limits count under: its address (an IPv6 /64), and for IPv6 its /48 too. */
export type ClientKeys = { address: string; block: string | undefined }

function clientKeys(ip: string): ClientKeys {
  return { address: ipLimitKey(ip), block: ipBlockLimitKey(ip) }
}

const LIMITS = {
  failures: { address: () => limits.failuresPerIp, block: () => limits.failuresPerIpv6Block },
  checks: { address: () => limits.checksPerIp, block: () => limits.checksPerIpv6Block },
}

/** Applies `apply` to the address's limit and the block's, every one of them; the first refusal wins. */
async function firstLimited(
  keys: ClientKeys,
  apply: (limit: Limit, key: string) => Promise<LimitCheck>,
  kind: keyof typeof LIMITS,
): Promise<LimitCheck> {
  const address = await apply(LIMITS[kind].address(), keys.address)
  const block = keys.block === undefined ? undefined : await apply(LIMITS[kind].block(), keys.block)
  if (address.limited) return address
  return block ?? address
}
