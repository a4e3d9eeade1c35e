import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema'

export type PortalDatabase = BetterSQLite3Database<typeof schema> & {
  $client: Database.Database
}

/** Opens (creating if needed) the SQLite file with the settings the portal relies on. */
export function openDatabase(path: string): PortalDatabase {
  if (path !== ':memory:') createPrivately(path)
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // WAL makes NORMAL durable against application crashes; only power loss can undo the last commit.
  sqlite.pragma('synchronous = NORMAL')
  return drizzle(sqlite, { schema })
}

/**
 * The file holds sealed personal data, blind indexes and sessions: only the
 * portal's own user may read it, whatever the umask. SQLite gives its -wal and
 * -shm files the database file's mode. Folders made here are 0700; an existing
 * one (perhaps /tmp) is left as it is.
 */
function createPrivately(path: string) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  closeSync(openSync(path, 'a', 0o600))
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
}

const connections = new Map<string, PortalDatabase>()

/** One shared connection per file for the life of the process. */
export function getDatabase(path: string): PortalDatabase {
  let db = connections.get(path)
  if (!db) {
    db = openDatabase(path)
    connections.set(path, db)
  }
  return db
}

export function closeDatabases() {
  for (const db of connections.values()) db.$client.close()
  connections.clear()
}

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/**
 * A statement compiled once per connection and reused: compiling SQL costs
 * more than most of the portal's queries take to run. Only for SQL built from
 * constants, so the cache stays as small as the code.
 */
export function prepared<Row = unknown>(db: PortalDatabase, source: string) {
  let cache = statementCaches.get(db.$client)
  if (!cache) {
    cache = new Map()
    statementCaches.set(db.$client, cache)
  }
  let statement = cache.get(source)
  if (!statement) {
    statement = db.$client.prepare(source)
    cache.set(source, statement)
  }
  return statement as Database.Statement<unknown[], Row>
}
