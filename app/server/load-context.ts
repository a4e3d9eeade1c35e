import '@remix-run/node'
import type { AppLoadContext } from '@remix-run/node'
import type { Request, Response } from 'express'

declare module '@remix-run/node' {
  interface AppLoadContext {
    cspNonce: string
    /**
     * The client's IP: the socket's peer, or the address `TRUST_PROXY` trusted
     * proxies put in X-Forwarded-For. Read it with `clientIp` (app/security).
     */
    clientIp: string
  }
  interface Future {
    v3_singleFetch: true
  }
}

/** What every loader and action receives as `context`. */
export function getLoadContext(req: Request, res: Response): AppLoadContext {
  return {
    cspNonce: String(res.locals.cspNonce),
    clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
  }
}
