/**
 * What a loader or action throws (status 503) when the disk is full, so the
 * error boundary can say so: shared by the server, which throws it, and the
 * page, which shows it.
 */
export type StorageFullData = { storageFull: true }

export function isStorageFullData(value: unknown): value is StorageFullData {
  return typeof value === 'object' && value !== null && (value as StorageFullData).storageFull === true
}

/** How long a reader is asked to wait before trying again (Retry-After), in seconds. */
export const STORAGE_FULL_RETRY_SECONDS = 300

/** Whether a page's route errors include a full disk. */
export function hasStorageFull(errors: Record<string, unknown> | null | undefined) {
  return Object.values(errors ?? {}).some(
    (error) =>
      typeof error === 'object' && error !== null && isStorageFullData((error as { data?: unknown }).data),
  )
}
