import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { limitRequestBody } from './body-limit'
import { assetsDirectory, publicDirectory } from './paths'
import { cspNonce, securityHeaders } from './security-headers'

const FORM_BODY_LIMIT = 64 * 1024

export function createApp({
  build,
  mode,
  isProduction,
}: {
  build: ServerBuild | (() => Promise<ServerBuild>)
  mode: string
  isProduction: boolean
}) {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', isProduction ? 1 : false)

  app.use(cspNonce)
  app.use(securityHeaders({ isProduction }))
  app.use(compression())

  // Fingerprinted by the build: safe to cache for a year.
  app.use('/build', express.static(assetsDirectory, { immutable: true, maxAge: '1y', index: false }))
  app.use(express.static(publicDirectory, { maxAge: '1h', index: false }))

  app.use(limitRequestBody({ maxBytes: FORM_BODY_LIMIT }))
  app.all(
    '*',
    createRequestHandler({
      build,
      mode,
      getLoadContext: (_req, res) => ({ cspNonce: String(res.locals.cspNonce) }),
    }),
  )
  return app
}
