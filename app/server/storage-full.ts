import { dirname } from 'node:path'
import { data, type ServerBuild } from '@remix-run/node'
import { type Config, getConfig } from '~/config.server'
import { STORAGE_FULL_RETRY_SECONDS, type StorageFullData } from '~/ui/storage-full-data'
import { isDatabaseBusy, isStorageFull, POSTGRES_DISK_FULL, storageFullCause } from './storage-full-error'

export { isStorageFull }

/** One line for the operator: where space ran out, nothing of the request nor of the database's address. */
export function logStorageFull(error: unknown) {
  const cause = storageFullCause(error)
  const code = cause?.code ?? String((error as { code?: unknown }).code)
  const where = storageFullPlace(cause, getConfig())
  console.error(`[disk full] ${code}: cannot write to ${where}; writes are refused until space is freed`)
}

/**
 * Which disk is full: the file's folder when the error names one; for the
 * database's own error, the SQLite file's folder or the PostgreSQL server's
 * disk (not this machine's); otherwise DATA_DIRECTORY, where this machine
 * keeps its own files (the upload spool).
 */
export function storageFullPlace(
  cause: { code: string; path: string | undefined } | undefined,
  config: Pick<Config, 'DATABASE_BACKEND' | 'DATABASE_URL' | 'DATA_DIRECTORY'>,
): string {
  if (cause?.code === POSTGRES_DISK_FULL) return "the PostgreSQL server's disk"
  if (cause?.path !== undefined) return dirname(cause.path)
  if (cause?.code === 'SQLITE_FULL' && config.DATABASE_BACKEND === 'sqlite')
    return dirname(config.DATABASE_URL)
  return config.DATA_DIRECTORY
}

/**
 * Every route's loader and action, answering a full disk (or a database
 * whose write lock stayed taken past the busy timeout) with a 503 the error
 * boundary shows as "we cannot save right now" instead of a bare 500. Nothing
 * is half-written: the database rolled the transaction back, the upload's
 * spool is discarded. The portal needs no restart once space returns.
 */
export function answerStorageFull(build: ServerBuild): ServerBuild {
  const routes: ServerBuild['routes'] = {}
  for (const [id, route] of Object.entries(build.routes)) {
    if (!route) continue
    const module = { ...route.module }
    if (module.loader) module.loader = guarded(module.loader)
    if (module.action) module.action = guarded(module.action)
    routes[id] = { ...route, module }
  }
  return { ...build, routes }
}

type Handler = (args: never) => unknown

// A lock held past the busy timeout is a burst, gone in seconds.
const BUSY_RETRY_SECONDS = 30

function guarded<H extends Handler>(handler: H): H {
  const wrapped = async (args: never) => {
    try {
      return await handler(args)
    } catch (error) {
      const full = isStorageFull(error)
      if (!full && !isDatabaseBusy(error)) throw error
      if (full) logStorageFull(error)
      else console.error('[database busy] a write waited past the busy timeout; it was refused with 503')
      await discardUnreadBody((args as { request?: Request }).request)
      // The reader sees the same "cannot save right now": nothing was saved, and a retry will be.
      const retryAfterSeconds = full ? STORAGE_FULL_RETRY_SECONDS : BUSY_RETRY_SECONDS
      throw data({ storageFull: true, retryAfterSeconds } satisfies StorageFullData, {
        status: 503,
        headers: { 'Retry-After': String(retryAfterSeconds), 'Cache-Control': 'no-store' },
      })
    }
  }
  return wrapped as H
}

/**
 * A post refused before its body was read (the rate-limit write failed first):
 * the body is read to its end and dropped, or the sender, still sending it,
 * would never read the answer. The body limit (app/server/body-limit.ts)
 * bounds what is read.
 */
async function discardUnreadBody(request: Request | undefined) {
  const body = request?.body
  if (!body || request.bodyUsed || body.locked) return
  try {
    const reader = body.getReader()
    for (;;) if ((await reader.read()).done) break
  } catch {
    // A body that breaks off needs no more reading.
  }
}
