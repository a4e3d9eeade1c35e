/**
 * What a loader or action throws (status 503) when the disk is full or the
 * database's write lock stayed taken too long, so the
 * error boundary can say so: shared by the server, which throws it, and the
 * page, which shows it.
 */
export type StorageFullData = { storageFull: true; retryAfterSeconds: number }

export function isStorageFullData(value: unknown): value is StorageFullData {
  return typeof value === 'object' && value !== null && (value as StorageFullData).storageFull === true
}

/** How long a reader is asked to wait before trying again (Retry-After), in seconds. */
export const STORAGE_FULL_RETRY_SECONDS = 300

/** The seconds to ask the reader to wait when a page's route errors include a refused write, if they do. */
export function storageFullRetryAfter(errors: Record<string, unknown> | null | undefined) {
  for (const error of Object.values(errors ?? {})) {
    const data = typeof error === 'object' && error !== null ? (error as { data?: unknown }).data : undefined
    if (isStorageFullData(data)) return data.retryAfterSeconds
  }
  return undefined
}
