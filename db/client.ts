import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema'
import { BUSY_TIMEOUT_MS } from './sql-store'

const connections = new Map<string, SqliteDatabase>()

export type SqliteDatabase = BetterSQLite3Database<typeof schema> & {
  $client: Database.Database
}

/** Opens (creating if needed) the SQLite file with the settings the portal relies on. */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') createPrivately(path)
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  // WAL makes NORMAL durable against application crashes; only power loss can undo the last commit.
  sqlite.pragma('synchronous = NORMAL')
  if (!checkpointOnCommit) sqlite.pragma('wal_autocheckpoint = 0')
  return drizzle(sqlite, { schema })
}

let checkpointOnCommit = true

/**
 * For a serving process: its connections, open and to come, never copy the
 * write-ahead log back in a commit (a request's), as the thread of
 * `startWalCheckpoints` does it for the whole portal (see wal-checkpoints.ts).
 * Commands keep SQLite's default and checkpoint as they commit.
 */
export function leaveCheckpointsToTheirThread() {
  checkpointOnCommit = false
  for (const db of connections.values()) db.$client.pragma('wal_autocheckpoint = 0')
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

/** One shared connection per file for the life of the process. */
export function getDatabase(path: string): SqliteDatabase {
  let db = connections.get(path)
  if (!db) {
    db = openDatabase(path)
    connections.set(path, db)
  }
  return db
}

export function closeDatabases() {
  for (const db of connections.values()) closeDatabase(db)
  connections.clear()
}

/** Closes a connection opened with `openDatabase` (one from `getDatabase` goes with `closeDatabases`). */
export function closeDatabase(db: SqliteDatabase) {
  db.$client.close()
}

export type TransactionMode = 'immediate' | 'deferred'

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when
 * it throws (the error goes on to the caller). `work` gets the database to
 * run on; with SQLite's one connection that is `db` itself, but code that is
 * to run on a pooled server database later should use it rather than `db`.
 *
 * `immediate` (the default) takes the write lock at the start, so a
 * transaction that reads and then writes never fails half-way with
 * SQLITE_BUSY while another process writes; `deferred` waits for the first
 * write, for work that may write nothing. Called inside another transaction,
 * `work` runs in a savepoint of it whatever the mode: a throw undoes only
 * `work`, and the outer transaction carries on if it catches the error. `work`
 * must be synchronous (a returned promise is refused): nothing may await
 * while SQLite holds the transaction open.
 */
export function withSqliteTransaction<T>(
  db: SqliteDatabase,
  work: (tx: SqliteDatabase) => T,
  { mode = 'immediate' }: { mode?: TransactionMode } = {},
): T {
  return db.$client.transaction(() => work(db))[mode]()
}

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/**
 * A statement compiled once per connection and reused: compiling SQL costs
 * more than most of the portal's queries take to run. Only for SQL built from
 * constants, so the cache stays as small as the code.
 */
export function sqliteStatement<Row = unknown>(db: SqliteDatabase, source: string) {
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
