import type { RequestHandler } from 'express'

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses request bodies over `maxBytes` before anything reads them. Browsers
 * always declare a form's length, so a body without one is refused too.
 */
export function limitRequestBody({ maxBytes }: { maxBytes: number }): RequestHandler {
  return (req, res, next) => {
    if (BODYLESS.has(req.method)) return next()
    const declared = req.headers['content-length']
    if (declared === undefined) {
      if (req.headers['transfer-encoding']) return refuse(res, 411)
      return next()
    }
    const length = Number(declared)
    if (!Number.isSafeInteger(length) || length < 0) return refuse(res, 400)
    if (length > maxBytes) return refuse(res, 413)
    next()
  }
}

const MESSAGES: Record<number, string> = {
  400: '送信内容を読み取れません。 / The request could not be read.',
  411: '送信内容の長さが必要です。 / The request must state its length.',
  413: '送信内容が大きすぎます。 / The request is too large.',
}

function refuse(res: Parameters<RequestHandler>[1], status: number) {
  res.status(status).set('Connection', 'close').type('text/plain; charset=utf-8').send(MESSAGES[status])
}
