import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { getConfig } from '~/config.server'
import { safeRedirect } from '~/ui/safe-redirect'
import type { FormExpired } from '~/ui/session-ended-page'
import {
  cookieName,
  purposeKey,
  randomToken,
  readTokenCookie,
  type SessionSecrets,
  serializeTokenCookie,
} from './cookie.server'

/**
 * Cross-site request forgery, refused twice over. First the browser's own
 * word: a POST whose Origin (or, without one, Sec-Fetch-Site) says it came
 * from another site. Then a signed double submit for browsers that send
 * neither: a random cookie, and in every form a token that is the HMAC of that
 * cookie. Another site can make the browser send the cookie but cannot read it,
 * nor forge the token without SESSION_SECRET. Neither needs a session, so the
 * identity check's first form is protected too.
 */

export const CSRF_COOKIE = 'portal_csrf'
// The form fields <CsrfField> renders, per form; the UI cannot import this module, so it repeats the names.
// The switcher's has a name of its own so that the first `csrf` field of a page is the page's.
const CSRF_FIELDS = { page: 'csrf', language: 'csrf-language' } as const

export type CsrfGuard = ReturnType<typeof createCsrfGuard>

/**
 * Which form a token is for: `page`, the forms of a page's own content, or
 * `language`, the switcher in every page's header. The switcher's token sits
 * beside the page's address (its return path) on pages that are compressed,
 * the conditions of BREACH; bound to its form, a token guessed from there
 * could only switch a visitor's language.
 */
export type CsrfForm = 'page' | 'language'

export function createCsrfGuard({
  secrets,
  isProduction,
  publicUrl,
}: {
  secrets: SessionSecrets
  isProduction: boolean
  /** The portal's public address, which may differ from the one the request arrived on behind a proxy. */
  publicUrl: string
}) {
  // The first secret signs; a token signed under an older one still verifies until it is retired.
  const keys = secrets.map((secret) => purposeKey(secret, 'csrf'))
  const name = cookieName(CSRF_COOKIE, isProduction)
  const publicOrigin = new URL(publicUrl).origin

  // A form's own purpose goes into the MAC: its token is worth nothing for any other form.
  const signUnder = (key: KeyObject, cookieValue: string, form: CsrfForm) => {
    const mac = createHmac('sha256', key).update(cookieValue)
    if (form !== 'page') mac.update(`\u0000${form}`)
    return mac.digest()
  }
  const sign = (cookieValue: string, form: CsrfForm = 'page') =>
    signUnder(keys[0] as KeyObject, cookieValue, form)

  const isSameSite = (request: Request) =>
    isSameSiteRequest({
      origin: request.headers.get('Origin'),
      fetchSite: request.headers.get('Sec-Fetch-Site'),
      requestOrigin: new URL(request.url).origin,
      publicOrigin,
    })

  const hasValidToken = (request: Request, formData: FormData, form: CsrfForm) => {
    const cookieValue = readTokenCookie(request, name)
    const submitted = formData.get(CSRF_FIELDS[form])
    if (cookieValue === undefined || typeof submitted !== 'string') return false
    const given = Buffer.from(submitted, 'base64url')
    return keys.some((key) => {
      const expected = signUnder(key, cookieValue, form)
      // Lengths are no secret; timingSafeEqual needs them equal.
      return given.length === expected.length && timingSafeEqual(given, expected)
    })
  }

  /** The form token for this visitor, and the cookie to set when they had none yet. */
  const csrfToken = (request: Request, form: CsrfForm = 'page'): { token: string; setCookie?: string } => {
    const existing = readTokenCookie(request, name)
    if (existing !== undefined) return { token: sign(existing, form).toString('base64url') }
    const value = freshCookieValue(request)
    return {
      token: sign(value, form).toString('base64url'),
      // No Max-Age: the token is worth nothing after the browser closes.
      setCookie: serializeTokenCookie({ name, value, isProduction }),
    }
  }

  /**
   * Throws a plain 403 for a request from another site; for one from this
   * site whose token does not match its cookie (the browser was closed and
   * forgot the cookie, or a tab outlived it), says so with a fresh token
   * instead: another site cannot get this far, so the person is only shown
   * their form again. Nothing the form asked for is done either way.
   */
  const checkFormToken = (request: Request, formData: FormData, form: CsrfForm = 'page'): FormTokenCheck => {
    if (!isSameSite(request)) throw forbidden('cross-origin request refused')
    if (hasValidToken(request, formData, form)) return { expired: false }
    return { expired: true, ...csrfToken(request, form) }
  }

  return {
    cookieName: name,

    csrfToken,

    checkFormToken,

    /**
     * For actions that cannot send their form back themselves: throws the 403
     * page that says the form expired, leading back to `path` (a GET of the
     * form) or, for a form with nothing to type (`repost`), sending it again
     * from there with a fresh token.
     */
    assertSafeRequest(
      request: Request,
      formData: FormData,
      form: CsrfForm = 'page',
      { onExpiry = 'reopen', path }: { onExpiry?: 'reopen' | 'repost'; path?: string } = {},
    ): void {
      const check = checkFormToken(request, formData, form)
      if (!check.expired) return
      const url = new URL(request.url)
      const target = safeRedirect(path ?? `${url.pathname}${url.search}`)
      const payload: FormExpired = {
        formExpired:
          onExpiry === 'repost'
            ? { kind: 'repost', path: target, csrf: check.token }
            : { kind: 'reopen', path: target },
      }
      const headers = new Headers({ 'Cache-Control': 'no-store' })
      if (check.setCookie) headers.append('Set-Cookie', check.setCookie)
      throw Response.json(payload, { status: 403, headers })
    },
  }
}

export type FormTokenCheck = { expired: false } | { expired: true; token: string; setCookie?: string }

/**
 * The value a visitor without a CSRF cookie gets. The root loader (for the
 * language switcher in every page's header) and the page's own loader both
 * ask for a token, each with its own copy of the request, and both must sign
 * the one cookie the response sets: the HTTP server gives every request one
 * random seed (`seedCsrfCookie`, which overwrites any a client sent).
 */
function freshCookieValue(request: Request) {
  const seed = request.headers.get(CSRF_SEED_HEADER)
  return seed && /^[A-Za-z0-9_-]{43}$/.test(seed) ? seed : randomToken()
}

export const CSRF_SEED_HEADER = 'x-portal-csrf-seed'

/** For the HTTP server, in front of Remix: this request's seed for a new CSRF cookie. */
export const seedCsrfCookie: RequestHandler = (req, _res, next) => {
  req.headers[CSRF_SEED_HEADER] = randomToken()
  next()
}

/**
 * Whether the browser says the request came from this site: its Origin is the
 * one the request was sent to or PUBLIC_URL's, or, without an Origin, its
 * Sec-Fetch-Site is not `cross-site`. Shared with the HTTP server's guard.
 */
export function isSameSiteRequest({
  origin,
  fetchSite,
  requestOrigin,
  publicOrigin,
}: {
  origin: string | null | undefined
  fetchSite: string | null | undefined
  requestOrigin: string
  publicOrigin: string
}) {
  // A page served with `Referrer-Policy: no-referrer` sends `Origin: null` on its own form
  // posts (Fetch serialises a non-CORS POST's origin so); Fetch Metadata still says where it
  // came from. Sandboxed frames and other sites' pages are not `same-origin`: still refused.
  if (origin === 'null') return fetchSite === 'same-origin'
  if (origin !== null && origin !== undefined) return origin === requestOrigin || origin === publicOrigin
  // Older browsers send no Origin on same-origin POSTs; Fetch Metadata still tells a cross-site one.
  return fetchSite !== 'cross-site'
}

// Plain text is enough: on a page request Remix shows the route's localised error page instead.
function forbidden(reason: string) {
  return new Response(`Forbidden: ${reason}`, {
    status: 403,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

let guard: CsrfGuard | undefined

function requestGuard() {
  if (!guard) {
    const config = getConfig()
    guard = createCsrfGuard({
      secrets: config.SESSION_SECRETS,
      isProduction: config.isProduction,
      publicUrl: config.PUBLIC_URL,
    })
  }
  return guard
}

/** For loaders: the token to put in the page's forms, and the Set-Cookie to send with it when new. */
export async function csrfToken(
  request: Request,
  form: CsrfForm = 'page',
): Promise<{ token: string; setCookie?: string }> {
  return requestGuard().csrfToken(request, form)
}

/**
 * For actions: throws a 403 Response unless the request came from this site
 * with a valid form token; for an expired token, one that renders as the page
 * saying so (see the guard's `assertSafeRequest`).
 */
export async function assertSafeRequest(
  request: Request,
  formData: FormData,
  form: CsrfForm = 'page',
  options?: { onExpiry?: 'reopen' | 'repost'; path?: string },
): Promise<void> {
  requestGuard().assertSafeRequest(request, formData, form, options)
}

/**
 * For actions that send their own form back: throws a plain 403 for another
 * site's request; tells whether this site's form came with an expired token,
 * and if so the fresh token (and cookie) to render it again with.
 */
export async function checkFormToken(
  request: Request,
  formData: FormData,
  form: CsrfForm = 'page',
): Promise<FormTokenCheck> {
  return requestGuard().checkFormToken(request, formData, form)
}
