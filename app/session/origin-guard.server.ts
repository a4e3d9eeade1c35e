import type { RequestHandler } from 'express'
import { refuse } from '~/server/plain-refusal'
import { isSameSiteRequest } from './csrf.server'

/**
 * The Origin check of `assertSafeRequest`, in front of Remix. Remix 2 runs its
 * own Origin-against-Host check before any action of a page POST and answers a
 * mismatch with a bare 500 (logged as a server error), so without this guard a
 * forged cross-site form never reaches an action to be refused properly.
 * Mounted before the Remix handler, it answers such requests 403 instead;
 * `assertSafeRequest` still checks the Origin (for `?_data` requests, which
 * Remix does not check) and the form token.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function refuseCrossOriginWrites({ publicUrl }: { publicUrl: string }): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next()
    const sameSite = isSameSiteRequest({
      origin: req.get('Origin'),
      fetchSite: req.get('Sec-Fetch-Site'),
      // `req.protocol` follows X-Forwarded-Proto only as far as `trust proxy` allows.
      requestOrigin: `${req.protocol}://${req.get('Host')}`,
      publicOrigin,
    })
    if (sameSite) {
      // Remix compares Origin with Host (or X-Forwarded-Host) itself and answers a mismatch with a
      // 500: `Origin: null`, and PUBLIC_URL's origin behind a proxy that rewrites Host. This guard
      // has vouched for the origin, so Remix need not see it; `assertSafeRequest` then goes by
      // Sec-Fetch-Site and the form token.
      delete req.headers.origin
      return next()
    }
    // The HTTP layer's short bilingual refusal: no page's language is known before Remix.
    refuse(res, 403)
  }
}
