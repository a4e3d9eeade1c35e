import type pg from 'pg'
import { portalDatabase, prepared, withTransaction } from '../database'
import { importedTable, rowIdsFrom } from '../import/chunk-store'
import { type ImportOptions, importInto } from '../import/import-files'
import { ImportRefusedError, type ImportTarget, NO_BULK_LOAD } from '../import/import-target'
import { LINK_BUYERS_TO_MEMBERS } from '../import/link-buyers'
import type { PortalCrypto } from '../portal-crypto'
import { openPostgres } from './client'
import { postgresChunkStore } from './import-chunk-store'
import { firstFreeRowId } from './import-copy'
import { postgresStore } from './postgres-store'

/**
 * `npm run import` into PostgreSQL: the same plan, preparation and report as
 * into SQLite (import/import-files.ts), each chunk written by COPY in a
 * transaction of its own (import-subjects.ts, import-cards.ts). There is no
 * bulk load: PostgreSQL keeps its indexes as the rows arrive. A re-run goes
 * on as on SQLite: rows already stored are compared, not written again.
 */

// This thread's own connections: one holding the import's lock and one copying chunks of small
// files in, and one (pipelined, for the portal's store) for the rest.
const COPYING_CONNECTIONS = 2

// Any fixed number: the store's write lock, the migrations' and the periodic jobs' are 7_231_026 to 7_231_029.
export const IMPORT_LOCK = 7_231_040

export async function importFilesIntoPostgres({ url, ...options }: ImportOptions & { url: string }) {
  const pool = openPostgres(url, { connections: COPYING_CONNECTIONS, pipeline: false }).$client
  const storePool = openPostgres(url, { connections: 1 }).$client
  try {
    return await oneImportAtATime(pool, () =>
      importInto(postgresImportTarget({ url, pool, storePool, crypto: options.crypto }), options),
    )
  } finally {
    await Promise.all([pool.end(), storePool.end()])
  }
}

/**
 * One import at a time into a database, wherever it is started: row IDs are
 * handed out from the highest stored one (see `reserveRowIds`), and two
 * imports at once would hand out the same. A second is refused at once.
 */
async function oneImportAtATime<T>(pool: pg.Pool, run: () => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    const { rows } = await client.query<{ taken: number }>('select pg_try_advisory_lock($1) as taken', [
      IMPORT_LOCK,
    ])
    if (rows[0]?.taken !== 1) throw new ImportRefusedError('another import into this database is under way')
    try {
      return await run()
    } finally {
      // A connection lost meanwhile took its lock with it; what stopped the import is what matters then.
      await client.query('select pg_advisory_unlock($1)', [IMPORT_LOCK]).catch(() => undefined)
    }
  } finally {
    client.release()
  }
}

/**
 * The pools must come from `openPostgres` (client.ts): `pool` copies rows in, without pipelining,
 * and `storePool` is the portal store's; worker threads open their own from `url`.
 */
export function postgresImportTarget({
  url,
  pool,
  storePool,
  crypto,
}: {
  url: string
  pool: pg.Pool
  storePool: pg.Pool
  crypto: PortalCrypto
}): ImportTarget {
  const portal = portalDatabase(postgresStore(storePool))
  return {
    portal,
    workerDatabase: { postgresUrl: url },
    withLoad: (load) => load(NO_BULK_LOAD),
    reserveRowIds: async (kind) => rowIdsFrom(await firstFreeRowId(pool, importedTable(kind))),
    chunkStore: (kind) => postgresChunkStore({ pool, crypto, kind }),
    linkBuyersToMembers: async () => {
      await withTransaction(portal, (tx) => prepared(tx, LINK_BUYERS_TO_MEMBERS).run())
    },
  }
}
