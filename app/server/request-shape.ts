import type { RequestHandler } from 'express'
import { refuse } from './plain-refusal'

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST']
const FORM_TYPE = 'application/x-www-form-urlencoded'

/**
 * Refuses, before Remix, what no page of the portal takes and Remix would
 * answer with a 500 and a logged stack:
 * - any method but GET, HEAD and POST (TRACE, PUT, DELETE, PATCH, OPTIONS…): 405 with `Allow`;
 * - a POST that is not a url-encoded form (JSON, text, multipart, no type): 415.
 *   Every form of the portal is url-encoded (it takes no files), the
 *   JavaScript ones too, so a multipart body, well-formed or not, is never read;
 * - a `?_data=` request: 400. The app uses single fetch (`.data` URLs); Remix
 *   still answers `_data` but logs every such request as a server error.
 */
export function refuseUnexpectedRequests(): RequestHandler {
  return (req, res, next) => {
    if (!ALLOWED_METHODS.includes(req.method)) return refuse(res, 405, { Allow: ALLOWED_METHODS.join(', ') })
    if (req.method === 'POST' && mediaType(req.get('Content-Type')) !== FORM_TYPE) return refuse(res, 415)
    if (hasDataParameter(req.originalUrl)) return refuse(res, 400)
    next()
  }
}

function mediaType(header: string | undefined) {
  return header?.split(';', 1)[0]?.trim().toLowerCase()
}

function hasDataParameter(path: string) {
  try {
    return new URL(path, 'http://portal.invalid').searchParams.has('_data')
  } catch {
    return true
  }
}
