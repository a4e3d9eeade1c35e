import type { HeadersFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { csrfToken } from '~/session/csrf.server'

/**
 * What every page showing personal data shares (identity checks, sign-in, the
 * exposure and account pages): its headers, its form's CSRF token, and the
 * answer to a form that must be corrected.
 */

/**
 * Headers of every page showing personal data: never cached, never leaked by a
 * referrer, and so (app/server/security-headers.ts) never compressed.
 */
export const PERSONAL_PAGE_HEADERS = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }

/**
 * The `headers` export of every page showing personal data. A document's headers come
 * from it alone, so a 429's Retry-After is carried over from the action here, or from
 * the loader when the page itself says when to come back (a spent e-mail code).
 */
export const personalPageHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  const retryAfter = actionHeaders.get('Retry-After') ?? loaderHeaders.get('Retry-After')
  if (retryAfter) headers.set('Retry-After', retryAfter)
  return headers
}

/** For loaders: the form's CSRF token, and the cookie that goes with it. */
export async function personalFormToken(request: Request) {
  const { token, setCookie } = await csrfToken(request)
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  if (setCookie) headers.append('Set-Cookie', setCookie)
  return { token, headers }
}

/** The answer to a form that must be corrected: 422 with what to say and what was typed. */
export function invalid<T extends object>(payload: T) {
  return data(payload, { status: 422, headers: PERSONAL_PAGE_HEADERS })
}
