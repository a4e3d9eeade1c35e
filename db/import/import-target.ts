import { type BulkLoad, withBulkLoad } from '../bulk-load'
import type { SqliteDatabase } from '../client'
import type { PortalDatabase } from '../database'
import type { PortalCrypto } from '../portal-crypto'
import { sqlitePortalDatabase } from '../sqlite-store'
import { type ChunkStore, createChunkStore, reserveRowIds } from './chunk-store'
import type { ExportKind } from './export-kinds'
import { linkBuyersToMembers } from './link-buyers'

/**
 * The database an import writes to, as `importInto` (import-files.ts) needs
 * it: the same preparation of every chunk (parse, validate, seal, index) goes
 * to SQLite row by row on its own connection, or to PostgreSQL by COPY
 * (postgres/import-target.ts).
 */
export type ImportTarget = {
  /** The portal's own records (where the people came from, that they changed). */
  portal: PortalDatabase
  /** What a worker thread opens to write its chunks; none: every chunk is written on this thread. */
  workerDatabase: WorkerDatabase | undefined
  /** Runs the whole import, in a bulk load where the backend has one. */
  withLoad: <T>(load: (bulk: BulkLoad) => Promise<T>) => Promise<T>
  /** Hands out row IDs for one file's chunks (see `reserveRowIds`). */
  reserveRowIds: (kind: ExportKind) => Promise<(lines: number) => number>
  /** Writes one file's prepared chunks on this thread. */
  chunkStore: (kind: ExportKind, bulk: boolean) => ChunkStore
  /** Auction buyers linked to the members who share their phone number. */
  linkBuyersToMembers: () => Promise<void>
}

/** An import that cannot start (another is under way); nothing was written. */
export class ImportRefusedError extends Error {
  override name = 'ImportRefusedError'
}

export type WorkerDatabase = { sqlitePath: string } | { postgresUrl: string }

/** Where no bulk load is done: every row goes in with the table's indexes in place. */
export const NO_BULK_LOAD: BulkLoad = {
  active: false,
  settle: () => ({ inserted: 0, updated: 0, unchanged: 0 }),
}

export function sqliteImportTarget(db: SqliteDatabase, crypto: PortalCrypto): ImportTarget {
  return {
    portal: sqlitePortalDatabase(db),
    // Workers open the database file themselves: an in-memory database stays on this thread.
    workerDatabase: db.$client.memory ? undefined : { sqlitePath: db.$client.name },
    withLoad: (load) => withBulkLoad({ db, keyring: crypto.keyring }, load),
    reserveRowIds: async (kind) => reserveRowIds(db, kind),
    chunkStore: (kind, bulk) => createChunkStore({ db, crypto, kind, bulk }),
    linkBuyersToMembers: async () => {
      linkBuyersToMembers(db)
    },
  }
}
