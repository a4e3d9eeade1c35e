import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { csvLine } from './copy-csv'
import { WRITE_LOCK } from './postgres-store'

/**
 * The pieces every chunk of an import into PostgreSQL is written with: one
 * transaction a chunk, holding the database's write lock as the portal's own
 * writers do (postgres-store.ts), so a chunk is all written or not at all and
 * no writer of the portal sees half of one; rows brought into a staging table
 * by COPY, from which one set-based statement writes them; and row IDs handed
 * out ahead of the rows, as on SQLite (see `reserveRowIds`).
 */

export type ImportedTable = 'subjects' | 'stored_cards'

/**
 * `work` in one transaction on one connection of the pool, rolled back when
 * it throws, with the chunk's staging table made (`staging`, see `stagingTable`): the
 * transaction begun, the lock taken and the table made in one round trip.
 */
export async function inChunkTransaction<T>(
  pool: pg.Pool,
  staging: string,
  work: (client: pg.PoolClient) => Promise<T>,
) {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query(`begin; select pg_advisory_xact_lock(${WRITE_LOCK}); ${staging}`)
    const result = await work(client)
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true
    })
    throw error
  } finally {
    // A connection that could not even roll back is closed, not handed to the next chunk.
    client.release(broken)
  }
}

/**
 * A staging table of this connection, empty at the start of every
 * transaction: made by the first chunk on the connection, emptied by each commit.
 */
export const stagingTable = (name: string, columns: string) =>
  `create temporary table if not exists ${name} (${columns}) on commit delete rows`

/** Rows into a table by COPY, as CSV: bytes in PostgreSQL's hex form, text always quoted. */
export async function copyRows(client: pg.PoolClient, table: string, columns: string[], rows: unknown[][]) {
  // One write for the whole chunk: a few hundred kilobytes, where a write a row costs a message each.
  await pipeline(
    Readable.from([rows.map(csvLine).join('')]),
    client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`)),
  )
}

/**
 * The first ID a file's rows may take: past every stored row and every ID the
 * table's identity has given out. Only the import writes these tables with
 * IDs of its own; `advanceIdentity` keeps the identity past them.
 */
export async function firstFreeRowId(pool: pg.Pool, table: ImportedTable): Promise<number> {
  const { rows } = await pool.query<{ next: number }>(
    `select greatest(coalesce((select max(id) from ${table}), 0),
       coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass), 0)) + 1 as next`,
    [table],
  )
  return Number(rows[0]?.next)
}

/**
 * The table's identity moved past `highestId`, in the chunk's transaction:
 * a row inserted later without an ID must not take one the import wrote.
 */
export async function advanceIdentity(client: pg.PoolClient, table: ImportedTable, highestId: number) {
  await client.query(
    `select setval(pg_get_serial_sequence($1, 'id'), $2::bigint)
     where $2::bigint > coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass), 0)`,
    [table, highestId],
  )
}

/** The database's time now in milliseconds, as the schema's defaults write it. */
export const POSTGRES_NOW_MS = 'floor(extract(epoch from statement_timestamp()) * 1000)::bigint'
