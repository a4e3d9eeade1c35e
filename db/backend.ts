import { closeDatabase, getDatabase, openDatabase, type SqliteDatabase } from './client'
import { type PortalDatabase, portalDatabase } from './database'
import { migrateDatabase } from './migrate'
import { openPostgres } from './postgres/client'
import { migratePostgres } from './postgres/migrate'
import { postgresStore } from './postgres/postgres-store'
import { BUSY_TIMEOUT_MS } from './sql-store'
import { sqliteStore } from './sqlite-store'

/**
 * The one place that turns DATABASE_URL into a database: a SQLite file in
 * this process, or a PostgreSQL server that any number of web nodes and
 * commands share. Everything above it speaks to a `PortalDatabase`.
 */

export type DatabaseBackend = 'sqlite' | 'postgres'

export type DatabaseSettings = {
  DATABASE_URL: string
  DATABASE_BACKEND: DatabaseBackend
  DATABASE_POOL_SIZE: number
}

export type OpenedDatabase = {
  db: PortalDatabase
  backend: DatabaseBackend
  /** The SQLite connection, for the machinery only SQLite has (bulk loads, backups, rotations). */
  sqlite: SqliteDatabase | undefined
  close(): Promise<void>
}

/** A connection (or pool) of the caller's own, closed with `close`: for commands and tests. */
export function openPortalDatabase(settings: DatabaseSettings): OpenedDatabase {
  if (settings.DATABASE_BACKEND === 'postgres') return openedPostgres(settings)
  const sqlite = openDatabase(settings.DATABASE_URL)
  return openedSqlite(sqlite, async () => closeDatabase(sqlite))
}

const shared = new Map<string, OpenedDatabase>()

/** The process's one database for request handlers, opened on first use and kept. */
export function sharedPortalDatabase(settings: DatabaseSettings): OpenedDatabase {
  let opened = shared.get(settings.DATABASE_URL)
  if (!opened) {
    opened =
      settings.DATABASE_BACKEND === 'postgres'
        ? openedPostgres(settings)
        : openedSqlite(getDatabase(settings.DATABASE_URL), async () => {})
    shared.set(settings.DATABASE_URL, opened)
  }
  return opened
}

/** Brings the schema up to date (nodes started together on one server migrate it once). */
export async function migratePortalDatabase(opened: OpenedDatabase, settings: DatabaseSettings) {
  if (opened.sqlite) {
    migrateDatabase(opened.sqlite)
    return
  }
  const postgres = openPostgres(settings.DATABASE_URL, { connections: 1 })
  try {
    await migratePostgres(postgres)
  } finally {
    await postgres.$client.end()
  }
}

function openedSqlite(sqlite: SqliteDatabase, close: () => Promise<void>): OpenedDatabase {
  return { db: portalDatabase(sqliteStore(sqlite)), backend: 'sqlite', sqlite, close }
}

function openedPostgres(settings: DatabaseSettings): OpenedDatabase {
  const pool = openPostgres(settings.DATABASE_URL, {
    connections: settings.DATABASE_POOL_SIZE,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
  }).$client
  const store = postgresStore(pool)
  return { db: portalDatabase(store), backend: 'postgres', sqlite: undefined, close: () => store.close() }
}
