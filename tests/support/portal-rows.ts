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
