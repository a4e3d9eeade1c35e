import { randomBytes } from 'node:crypto'
import compression from 'compression'
import type { Request, RequestHandler, Response } from 'express'
import helmet from 'helmet'

/** A fresh nonce for every response, for the scripts Remix renders inline. */
export const cspNonce: RequestHandler = (_req, res, next) => {
  res.locals.cspNonce = randomBytes(16).toString('base64')
  next()
}

const SITE_REFERRER_POLICY = 'strict-origin-when-cross-origin'
// What pages holding personal data send instead (app/security/personal-page.server.ts).
const PERSONAL_REFERRER_POLICY = 'no-referrer'

/**
 * Headers every response carries. Scripts run only with this response's nonce
 * (`strict-dynamic` lets those scripts load the bundle's modules).
 */
export function securityHeaders({ isProduction }: { isProduction: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': [
          "'strict-dynamic'",
          (_req, res) => `'nonce-${(res as unknown as Response).locals.cspNonce}'`,
        ],
        'style-src': ["'self'"],
        // blob: for the return form's previews of the photos chosen, shown before they are sent.
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'"],
        // Remix's development server reloads the page over a websocket.
        'connect-src': isProduction ? ["'self'"] : ["'self'", 'ws://localhost:*'],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'base-uri': ["'none'"],
        ...(isProduction ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: SITE_REFERRER_POLICY },
    strictTransportSecurity: isProduction
      ? { maxAge: 63_072_000, includeSubDomains: true, preload: false }
      : false,
    xFrameOptions: { action: 'deny' },
  })
}

/**
 * A page's own Referrer-Policy replaces the site-wide one instead of being
 * sent beside it: the Remix adapter appends every header its response holds,
 * which left two Referrer-Policy headers on personal pages.
 */
export const pageReferrerPolicy: RequestHandler = (_req, res, next) => {
  const append = res.append.bind(res)
  res.append = (field: string, value?: string | string[]) =>
    field.toLowerCase() === 'referrer-policy' ? res.set(field, value) : append(field, value)
  next()
}

/**
 * What `compression` may compress: not a page marked personal by its
 * `no-referrer` policy. Such pages hold personal data and echo what was typed
 * (a form sent back with its error), the two conditions of BREACH: compressed,
 * their length would let an attacker who can inject text guess the rest.
 */
export function shouldCompress(req: Request, res: Response) {
  if (String(res.getHeader('Referrer-Policy')).toLowerCase() === PERSONAL_REFERRER_POLICY) return false
  return compression.filter(req, res)
}
