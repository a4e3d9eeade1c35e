/**
 * A write refused because the storage is full: SQLite's SQLITE_FULL,
 * PostgreSQL's disk_full (SQLSTATE 53100, its server's disk), or ENOSPC/EDQUOT
 * from a file write (the upload spool). Looked for along the cause chain,
 * since a caller (or the query builder) may have wrapped it. No dependencies,
 * so that background work (the outbox sender) can tell it apart too.
 */
export function isStorageFull(error: unknown): boolean {
  return storageFullCause(error) !== undefined
}

/** PostgreSQL's SQLSTATE for a write its server had no disk space for. */
export const POSTGRES_DISK_FULL = '53100'

const STORAGE_FULL_CODES = new Set(['SQLITE_FULL', POSTGRES_DISK_FULL, 'ENOSPC', 'EDQUOT'])

/** The link of the cause chain that says storage is full: its code, and the file it names, if any. */
export function storageFullCause(error: unknown): { code: string; path: string | undefined } | undefined {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, path } = current as { code?: unknown; path?: unknown }
    if (typeof code === 'string' && STORAGE_FULL_CODES.has(code))
      return { code, path: typeof path === 'string' ? path : undefined }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

// SQLite's busy codes, and the one PostgreSQL's store gives a connection, lock or conflict not had
// in time (BUSY_ERROR_CODE in db/sql-store.ts, repeated: this module imports nothing).
const BUSY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'PORTAL_DATABASE_BUSY',
])

/**
 * A write that waited for the database longer than its busy timeout (the
 * write lock; on PostgreSQL also a free connection or a row), as under a
 * burst of writers or beside a long import: nothing was written, and the
 * same request moments later will succeed.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && BUSY_CODES.has(code)
}
