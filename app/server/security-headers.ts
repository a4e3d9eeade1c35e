import { randomBytes } from 'node:crypto'
import type { RequestHandler, Response } from 'express'
import helmet from 'helmet'

/** A fresh nonce for every response, for the scripts Remix renders inline. */
export const cspNonce: RequestHandler = (_req, res, next) => {
  res.locals.cspNonce = randomBytes(16).toString('base64')
  next()
}

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
        'img-src': ["'self'", 'data:'],
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
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: isProduction
      ? { maxAge: 63_072_000, includeSubDomains: true, preload: false }
      : false,
    xFrameOptions: { action: 'deny' },
  })
}
