import type { RequestHandler } from 'express'
import { refuse } from './plain-refusal'

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses request bodies over `maxBytes` before anything reads them. Browsers
 * always declare a form's length, so a body without one is refused too.
 */
export function limitRequestBody({
  maxBytes,
}: {
  maxBytes: number | ((path: string) => number)
}): RequestHandler {
  const limitFor = typeof maxBytes === 'number' ? () => maxBytes : maxBytes
  return (req, res, next) => {
    if (BODYLESS.has(req.method)) return next()
    const declared = req.headers['content-length']
    if (declared === undefined) {
      if (req.headers['transfer-encoding']) return refuse(res, 411)
      return next()
    }
    const length = Number(declared)
    if (!Number.isSafeInteger(length) || length < 0) return refuse(res, 400)
    if (length > limitFor(req.path)) return refuse(res, 413)
    next()
  }
}
