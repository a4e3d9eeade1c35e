import type { RequestHandler } from 'express'
import { refuse } from './plain-refusal'

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST']
const FORM_TYPE = 'application/x-www-form-urlencoded'
const MULTIPART_TYPE = 'multipart/form-data'

/**
 * Refuses, before Remix, what no page of the portal takes and Remix would
 * answer with a 500 and a logged stack:
 * - any method but GET, HEAD and POST (TRACE, PUT, DELETE, PATCH, OPTIONS…): 405 with `Allow`;
 * - a POST that is not a url-encoded form (JSON, text, multipart, no type): 415.
 *   Every form of the portal is url-encoded, the JavaScript ones too, but the
 *   one that takes photos (`UPLOAD_PATHS`), which is multipart and nothing
 *   else; a multipart body is never read anywhere but there;
 * - a `?_data=` request: 400. The app uses single fetch (`.data` URLs); Remix
 *   still answers `_data` but logs every such request as a server error.
 */
export function refuseUnexpectedRequests(): RequestHandler {
  return (req, res, next) => {
    if (!ALLOWED_METHODS.includes(req.method)) return refuse(res, 405, { Allow: ALLOWED_METHODS.join(', ') })
    const expected = isUploadPath(req.path) ? MULTIPART_TYPE : FORM_TYPE
    if (req.method === 'POST' && mediaType(req.get('Content-Type')) !== expected) return refuse(res, 415)
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

/** The pages whose form takes files: their own media type, and a body limit of their own. */
export const UPLOAD_PATHS = ['/returns/new']

/** The page itself, or its single-fetch data URL (`/returns/new.data`) when JavaScript posts it. */
export function isUploadPath(path: string) {
  return UPLOAD_PATHS.some((page) => path === page || path === `${page}.data`)
}
