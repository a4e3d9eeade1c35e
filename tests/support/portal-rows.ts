import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { openPortalDatabase } from '~db/backend'
import { type PortalDatabase, prepared } from '~db/database'
import type { SqlValue } from '~db/sql-store'

/**
 * A running portal's database as tests read it back (or age what it holds),
 * on either backend: a SQLite file's path or a PostgreSQL URL, as the
 * portal's DATABASE_URL names it (PortalServer.databaseUrl). Statements are
 * the portable SQL of db/ (`?` placeholders, numbers for times and flags).
 */

const POSTGRES_URL = /^postgres(ql)?:\/\//

/** The portal database at `databaseUrl`, on a connection of its own for `work`, closed after it. */
export async function withPortalDatabase<T>(
  databaseUrl: string,
  work: (db: PortalDatabase) => Promise<T>,
): Promise<T> {
  const opened = openPortalDatabase({
    DATABASE_URL: databaseUrl,
    DATABASE_BACKEND: POSTGRES_URL.test(databaseUrl) ? 'postgres' : 'sqlite',
    DATABASE_POOL_SIZE: 1,
  })
  try {
    return await work(opened.db)
  } finally {
    await opened.close()
  }
}

/** Every row a query answers. */
export function portalRows<Row>(databaseUrl: string, sql: string, ...parameters: SqlValue[]) {
  return withPortalDatabase(databaseUrl, (db) => prepared<Row>(db, sql).all(...parameters))
}

/** The first column of the first row (a count), or undefined without a row. */
export function portalValue<Value>(databaseUrl: string, sql: string, ...parameters: SqlValue[]) {
  return withPortalDatabase(databaseUrl, (db) => prepared(db, sql).value<Value>(...parameters))
}

/** Runs a statement that changes rows; answers how many it changed. */
export async function portalRun(databaseUrl: string, sql: string, ...parameters: SqlValue[]) {
  return (await withPortalDatabase(databaseUrl, (db) => prepared(db, sql).run(...parameters))).changes
}

/** The names of a table's columns, as the backend's catalogue lists them. */
export async function tableColumns(databaseUrl: string, table: string): Promise<string[]> {
  const rows = POSTGRES_URL.test(databaseUrl)
    ? await portalRows<{ name: string }>(
        databaseUrl,
        'select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ?',
        table,
      )
    : await portalRows<{ name: string }>(databaseUrl, 'select name from pragma_table_info(?)', table)
  return rows.map((row) => row.name)
}

/**
 * Which of the files on disk that keep a portal's database hold `text` as it
 * is, unsealed: the SQLite file and its write-ahead log; on PostgreSQL, the
 * database's own files and the cluster's write-ahead log, after a checkpoint
 * has written out what the server held only in memory (this needs the
 * superuser the test cluster's URLs name).
 */
export async function portalFilesHolding(databaseUrl: string, text: string): Promise<string[]> {
  const files = POSTGRES_URL.test(databaseUrl)
    ? await postgresFiles(databaseUrl)
    : [databaseUrl, `${databaseUrl}-wal`]
  const bytes = Buffer.from(text)
  return files.filter((file) => {
    try {
      return readFileSync(file).includes(bytes)
    } catch (error) {
      // Not there (no write-ahead log at the moment, a log segment recycled meanwhile): nothing in it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw error
    }
  })
}

async function postgresFiles(databaseUrl: string) {
  const client = new pg.Client(databaseUrl)
  await client.connect()
  let where: { data: string; database: string } | undefined
  try {
    await client.query('checkpoint')
    ;[where] = (
      await client.query<{ data: string; database: string }>(
        "select current_setting('data_directory') as data, oid::text as database from pg_database where datname = current_database()",
      )
    ).rows
  } finally {
    await client.end()
  }
  if (!where) throw new Error(`no database at ${databaseUrl}`)
  const { data, database } = where
  const filesIn = (directory: string) =>
    readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(directory, entry.name))
  return [...filesIn(join(data, 'base', database)), ...filesIn(join(data, 'pg_wal'))]
}
