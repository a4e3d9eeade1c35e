import type { AppLoadContext, HeadersFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { clientIp, ipLimitKey } from '~/security/client-ip.server'
import { checkLimit, hitLimit, type LimitCheck, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { assertSafeRequest, csrfToken } from '~/session/csrf.server'

/**
 * What every identity-check page shares: a CSRF token for its form, the
 * checks before its action does anything (same origin, token, the client's
 * limits), and counting its failures against the client.
 */

/** Headers of every identity-check page: never cached, never leaked by a referrer. */
export const PERSONAL_PAGE_HEADERS = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }

/**
 * The `headers` export of every identity-check page. A document's headers come
 * from it alone, so a 429's Retry-After is carried over from the action here.
 */
export const checkPageHeaders: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  const retryAfter = actionHeaders.get('Retry-After')
  if (retryAfter) headers.set('Retry-After', retryAfter)
  return headers
}

/** For loaders: the form's CSRF token, and the cookie that goes with it. */
export async function checkFormToken(request: Request) {
  const { token, setCookie } = await csrfToken(request)
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  if (setCookie) headers.append('Set-Cookie', setCookie)
  return { token, headers }
}

export type CheckPost =
  | { refused: false; form: FormData; ip: string }
  | { refused: true; response: ReturnType<typeof tooManyRequests> }

/**
 * For actions: refuses a cross-site post (403, thrown) and a client over its
 * limits (429), before any lookup; counts the post against the client.
 */
export async function readCheckPost(
  request: Request,
  context: Pick<AppLoadContext, 'clientIp'>,
  echo: Record<string, string> = {},
): Promise<CheckPost> {
  const form = await request.formData()
  await assertSafeRequest(request, form)
  const ip = ipLimitKey(clientIp(context))
  const failures = checkLimit(db(), portalCrypto(), limits.failuresPerIp, ip)
  const posts = failures.limited ? failures : hitLimit(db(), portalCrypto(), limits.checksPerIp, ip)
  if (posts.limited) return { refused: true, response: tooManyRequests(posts, { echo }) }
  return { refused: false, form, ip }
}

/** A failed attempt, counted against the client. */
export function countFailure(ip: string): LimitCheck {
  return hitLimit(db(), portalCrypto(), limits.failuresPerIp, ip)
}

/** The answer to a form that must be corrected: 422 with what to say and what was typed. */
export function invalid<T extends object>(payload: T) {
  return data(payload, { status: 422, headers: PERSONAL_PAGE_HEADERS })
}
