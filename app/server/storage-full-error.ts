/**
 * A write refused because the file system is full: SQLite's SQLITE_FULL, or
 * ENOSPC/EDQUOT from a file write (the upload spool). Looked for along the
 * cause chain, since a caller may have wrapped it. No dependencies, so that
 * background work (the outbox sender) can tell it apart too.
 */
export function isStorageFull(error: unknown): boolean {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/**
 * A write that waited for the database's write lock longer than its busy
 * timeout (SQLITE_BUSY), as under a burst of writers or beside a long import:
 * nothing was written, and the same request moments later will succeed.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_BUSY_TIMEOUT'
}
