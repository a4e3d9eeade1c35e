import { readdirSync } from 'node:fs'
import express, { type RequestHandler } from 'express'
import { assetsDirectory, publicDirectory } from './paths'

/**
 * The build's fingerprinted assets and the few files in public/ (the icon).
 * express.static asks the file system about every path it is given, so a page
 * request would cost a stat() that always fails: the names in public/ are read
 * once at start, and only a path under one of them is looked up.
 */
export function servePublicFiles(): { assets: RequestHandler; publicFiles: RequestHandler } {
  const names = new Set(readdirSync(publicDirectory).filter((name) => name !== 'build'))
  const files = express.static(publicDirectory, { maxAge: '1h', index: false })
  return {
    // Fingerprinted by the build: safe to cache for a year.
    assets: express.static(assetsDirectory, { immutable: true, maxAge: '1y', index: false }),
    publicFiles: (request, response, next) => {
      const first = request.path.split('/', 2)[1] ?? ''
      if (names.has(first)) files(request, response, next)
      else next()
    },
  }
}
