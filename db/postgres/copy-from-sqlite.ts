import { pipeline } from 'node:stream/promises'
import type Database from 'better-sqlite3'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { portalTableNames } from '../sqlite-tables'
import type { PostgresDatabase } from './client'
import { csvLine } from './copy-csv'
import { migratePostgres } from './migrate'

/**
 * A SQLite deployment's data moved into PostgreSQL as it is: every table, row
 * for row, sealed values and digests byte for byte (the keys do not change,
 * so nothing is opened), in chunks that each commit with a note of how far
 * the copy got: a copy stopped anywhere (a kill, a lost connection) goes on
 * from its last chunk when run again. The rows go in through COPY, with the
 * target's triggers off (the progress tallies come with the rows they count;
 * counting them again would double them), and every table's count is checked
 * against the source's at the end.
 *
 * The source must not change under the copy: a backup (`npm run backup`) or
 * the file of a stopped portal.
 */

export type CopyProgress = { table: string; copied: number; total: number }

export type CopyReport = { tables: { table: string; rows: number }[]; resumed: boolean }

export class CopyProblem extends Error {}

// Rows a chunk: one COPY and one commit each, a few megabytes at most even for the widest rows.
const CHUNK_ROWS = 5_000
const PROGRESS_TABLE = 'portal_copy_progress'
// An advisory lock's number (see job-locks.ts for the others).
const COPY_LOCK = 7_231_030

type TableShape = { name: string; columns: string[]; key: string[] }

export async function copySqliteToPostgres({
  source,
  target,
  onProgress = () => {},
  chunkRows = CHUNK_ROWS,
}: {
  source: Database.Database
  target: PostgresDatabase
  /** After every chunk committed; a throw stops the copy there, as a kill would. */
  onProgress?: (progress: CopyProgress) => void
  chunkRows?: number
}): Promise<CopyReport> {
  // node-postgres refuses `COPY … FROM STDIN` on a pipelined connection.
  if (target.$client.options.pipeline) throw new Error('copying needs a pool opened with pipeline: false')
  await migratePostgres(target)
  const pool = target.$client
  const tables = sourceTables(source)
  const lock = await oneCopyAtATime(pool)
  try {
    const resumed = await startOrResume(pool, tables)
    const report: CopyReport = { tables: [], resumed }
    for (const table of tables) {
      const total = count(source, table.name)
      await copyTable({ source, pool, table, total, onProgress, chunkRows })
      const copied = Number((await pool.query(`select count(*) as n from ${quoted(table.name)}`)).rows[0].n)
      if (copied !== total) {
        throw new CopyProblem(`${table.name}: ${total} rows in the source, ${copied} in PostgreSQL`)
      }
      report.tables.push({ table: table.name, rows: total })
    }
    await advanceIdentities(pool)
    await pool.query(`drop table ${PROGRESS_TABLE}`)
    return report
  } finally {
    await lock.release()
  }
}

/**
 * Two copies into one database at once (two nodes loading the demo as they
 * start together, the command run twice) would both find it empty and collide
 * on the first row. The second waits for the first, on a connection of its
 * own (the pool's are the copy's), and then finds its data there.
 */
async function oneCopyAtATime(pool: PostgresDatabase['$client']) {
  const holder = new pg.Client(pool.options)
  // A connection the server ends is only the lock let go; unheard, the error would end the process.
  holder.on('error', () => {})
  await holder.connect()
  try {
    await holder.query('select pg_advisory_lock($1)', [COPY_LOCK])
  } catch (error) {
    await holder.end()
    throw error
  }
  // Ending the session lets the lock go too.
  return { release: () => holder.end() }
}

/** The source's tables (drizzle's own bookkeeping aside: the target keeps its own), keyed by primary key. */
function sourceTables(source: Database.Database): TableShape[] {
  const names = portalTableNames(source)
  return names.map((name) => {
    const columns = source
      .prepare('select name, pk from pragma_table_xinfo(?) where hidden = 0')
      .all(name) as {
      name: string
      pk: number
    }[]
    const key = columns
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name)
    if (key.length === 0) throw new CopyProblem(`${name} has no primary key to copy it in order by`)
    return { name, columns: columns.map((column) => column.name), key }
  })
}

/**
 * A first run finds the target freshly migrated (nothing in it but the audit
 * chain's head row, which the copy brings); a later one finds its notes.
 * Anything else is someone's data, and is left alone.
 */
async function startOrResume(pool: PostgresDatabase['$client'], tables: TableShape[]) {
  const progress = await pool.query(`select to_regclass('${PROGRESS_TABLE}') as name`)
  if (progress.rows[0].name !== null) return true
  for (const { name } of tables) {
    const { rows } = await pool.query(`select count(*) as n from ${quoted(name)}`)
    const expected = name === 'audit_chain_head' ? 1 : 0
    if (Number(rows[0].n) > expected) {
      throw new CopyProblem(`PostgreSQL already holds data (${name}): copy into an empty database`)
    }
  }
  await pool.query(
    `create table ${PROGRESS_TABLE} (table_name text primary key, last_key text not null, copied bigint not null)`,
  )
  await pool.query('delete from audit_chain_head')
  return false
}

async function copyTable({
  source,
  pool,
  table,
  total,
  onProgress,
  chunkRows,
}: {
  source: Database.Database
  pool: PostgresDatabase['$client']
  table: TableShape
  total: number
  onProgress: (progress: CopyProgress) => void
  chunkRows: number
}) {
  const noted = await pool.query(`select last_key, copied from ${PROGRESS_TABLE} where table_name = $1`, [
    table.name,
  ])
  let lastKey: unknown[] | null = noted.rows[0] ? decodeKey(noted.rows[0].last_key) : null
  let copied = noted.rows[0] ? Number(noted.rows[0].copied) : 0
  const columnList = table.columns.map(quoted).join(', ')
  const keyList = table.key.map(quoted).join(', ')
  const first = source.prepare(`select ${columnList} from ${quoted(table.name)} order by ${keyList} limit ?`)
  const next = source.prepare(
    `select ${columnList} from ${quoted(table.name)} where (${keyList}) > (${table.key.map(() => '?').join(', ')})
      order by ${keyList} limit ?`,
  )
  onProgress({ table: table.name, copied, total })
  for (;;) {
    const rows = (
      lastKey === null ? first.raw().all(chunkRows) : next.raw().all(...lastKey, chunkRows)
    ) as unknown[][]
    if (rows.length === 0) return
    const last = rows.at(-1) as unknown[]
    lastKey = table.key.map((column) => last[table.columns.indexOf(column)])
    copied += rows.length
    const client = await pool.connect()
    try {
      await client.query('begin')
      // Off for this transaction only: the tallies' triggers, and foreign keys checked row by row
      // (a subject's human may come later in the copy). The source's own keys held them already.
      await client.query("set local session_replication_role = 'replica'")
      await pipeline(
        rows.map((row) => csvLine(row)),
        client.query(copyFrom(`copy ${quoted(table.name)} (${columnList}) from stdin with (format csv)`)),
      )
      await client.query(
        `insert into ${PROGRESS_TABLE} (table_name, last_key, copied) values ($1, $2, $3)
         on conflict (table_name) do update set last_key = excluded.last_key, copied = excluded.copied`,
        [table.name, encodeKey(lastKey), copied],
      )
      await client.query('commit')
    } catch (error) {
      await client.query('rollback').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
    onProgress({ table: table.name, copied, total })
  }
}

/** An identity's next number follows the highest copied, or the next insert would take a copied ID. */
async function advanceIdentities(pool: PostgresDatabase['$client']) {
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and is_identity = 'YES'`,
  )
  for (const { table_name: table, column_name: column } of rows) {
    await pool.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quoted(column)}) from ${quoted(table)}), 0) + 1, false)`,
      [quoted(table), column],
    )
  }
}

function count(source: Database.Database, table: string) {
  return source
    .prepare(`select count(*) from ${quoted(table)}`)
    .pluck()
    .get() as number
}

// Names come from the file's own schema and the target's catalogue, not from input; quoted all the same.
function quoted(name: string) {
  return `"${name.replaceAll('"', '""')}"`
}

// A key may hold bytes (a session's hashed ID): kept as JSON with bytes in hex.
function encodeKey(key: unknown[]) {
  return JSON.stringify(key.map((part) => (Buffer.isBuffer(part) ? { hex: part.toString('hex') } : part)))
}

function decodeKey(text: string): unknown[] {
  return (JSON.parse(text) as unknown[]).map((part) =>
    part !== null && typeof part === 'object' && 'hex' in part ? Buffer.from(String(part.hex), 'hex') : part,
  )
}
