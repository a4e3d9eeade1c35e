import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { PHOTOS_TOTAL_MAX_BYTES } from '~/returns/multipart-form.server'
import { seedCsrfCookie } from '~/session/csrf.server'
import { refuseCrossOriginWrites } from '~/session/origin-guard.server'
import { limitRequestBody } from './body-limit'
import { answerUnhandledErrors } from './error-handler'
import { refuseUnknownHosts } from './host-check'
import { getLoadContext } from './load-context'
import { queueRequests } from './load-shedding'
import { servePublicFiles } from './public-files'
import { isUploadPath, refuseUnexpectedRequests } from './request-shape'
import { cspNonce, pageReferrerPolicy, securityHeaders, shouldCompress } from './security-headers'
import { answerStorageFull } from './storage-full'

const FORM_BODY_LIMIT = 64 * 1024
// Every photo the request may carry, and room for the typed fields and the multipart framing.
const UPLOAD_BODY_LIMIT = PHOTOS_TOTAL_MAX_BYTES + 1024 * 1024

export function createApp({
  build,
  mode,
  isProduction,
  trustProxy,
  publicUrl,
  requestQueueDepth,
  requestQueueWaitMs,
}: {
  build: ServerBuild | (() => Promise<ServerBuild>)
  mode: string
  isProduction: boolean
  /** Reverse proxies whose X-Forwarded-For is believed (`TRUST_PROXY`); 0 believes the socket only. */
  trustProxy: number
  /** The portal's public address: a form posted from there is not cross-origin. */
  publicUrl: string
  /** Requests in progress at once in this process before more are shed with a 503 (`REQUEST_QUEUE_DEPTH`). */
  requestQueueDepth: number
  /** How long a request may wait for its turn before it is shed instead (`REQUEST_QUEUE_WAIT_MS`). */
  requestQueueWaitMs: number
}) {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', trustProxySetting(trustProxy))

  app.use(cspNonce)
  app.use(securityHeaders({ isProduction }))
  // Before anything answers: a DNS-rebinding page must reach nothing, not even static files.
  app.use(refuseUnknownHosts({ publicUrl, trustProxy }))
  app.use(compression({ filter: shouldCompress }))

  const { assets, publicFiles } = servePublicFiles()
  app.use('/build', assets)
  app.use(publicFiles)

  // Static files above are cheap and always served; pages beyond this point wait their turn, or are shed.
  app.use(queueRequests({ depth: requestQueueDepth, maxWaitMs: requestQueueWaitMs }))
  app.use(refuseUnexpectedRequests())
  app.use(
    limitRequestBody({
      maxBytes: (path) => (isUploadPath(path) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT),
    }),
  )
  // Before Remix, whose own origin check answers a foreign POST with a 500.
  app.use(refuseCrossOriginWrites({ publicUrl }))
  app.use(pageReferrerPolicy)
  app.use(seedCsrfCookie)
  app.all(
    '*',
    createRequestHandler({
      // A full disk is answered as such by every route, not as a bare 500.
      build:
        typeof build === 'function' ? async () => answerStorageFull(await build()) : answerStorageFull(build),
      mode,
      getLoadContext,
    }),
  )
  app.use(answerUnhandledErrors)
  return app
}

/** Express's `trust proxy` for a hop count: `false` (not 0) so that X-Forwarded-For is never read. */
export function trustProxySetting(hops: number): number | false {
  return hops > 0 ? hops : false
}
