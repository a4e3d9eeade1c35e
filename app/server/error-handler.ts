import type { ErrorRequestHandler } from 'express'
import { STORAGE_FULL_RETRY_SECONDS } from '~/ui/storage-full-data'
import { refuse } from './plain-refusal'
import { isStorageFull, logStorageFull } from './storage-full'

/**
 * The last word on an error nothing else answered (a path Express cannot
 * decode, a request the Remix adapter cannot build). Express's own handler
 * would send the stack outside production and log the message, which can
 * quote the request (`Failed to decode param '/%'`). A client error is
 * answered 400 and not logged; anything else 500, logged by type and stack only.
 */
export const answerUnhandledErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) return next(error)
  const status = statusOf(error)
  if (status >= 400 && status < 500) return refuse(res, 400)
  if (isStorageFull(error)) {
    logStorageFull(error)
    return refuse(res, 503, { 'Retry-After': String(STORAGE_FULL_RETRY_SECONDS) })
  }
  if (error instanceof Error) {
    console.error(`[server error] ${error.name}\n${error.stack?.split('\n').slice(1).join('\n') ?? ''}`)
  } else {
    console.error('[server error] non-Error value thrown')
  }
  refuse(res, 500)
}

function statusOf(error: unknown) {
  if (typeof error !== 'object' || error === null) return 500
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown }
  const value = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : 500
  return Number.isInteger(value) ? value : 500
}
