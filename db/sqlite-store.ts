import { type SqliteDatabase, sqliteStatement } from './client'
import { type PortalDatabase, portalDatabase } from './database'
import {
  type Params,
  type SqlRunner,
  type SqlStore,
  type TransactionMode,
  TransactionQueue,
  TransactionScope,
} from './sql-store'

/**
 * The SQL contract (sql-store.ts) on a SQLite file: its one connection in
 * this process, statements compiled once and kept (client.ts `prepared`).
 * better-sqlite3 is synchronous, so a statement is done when its promise is
 * made; what the promise adds is a place in the queue while a transaction,
 * open across its awaits, holds the connection.
 */
export function sqliteStore(db: SqliteDatabase): SqlStore {
  let store = stores.get(db)
  if (!store) {
    store = storeOn(db)
    stores.set(db, store)
  }
  return store
}

// One store per connection: its queue is what keeps the connection's transactions apart.
const stores = new WeakMap<SqliteDatabase, SqlStore>()

/** The portal database (database.ts) on a SQLite connection. */
export function sqlitePortalDatabase(db: SqliteDatabase): PortalDatabase {
  return portalDatabase(sqliteStore(db))
}

function storeOn(db: SqliteDatabase): SqlStore {
  const queue = new TransactionQueue()
  const scope = new TransactionScope()

  // Outside a transaction: at once when none is open or waiting, else after them.
  async function outside<T>(statement: () => T): Promise<T> {
    scope.refuseInside()
    return queue.busy ? queue.run(statement) : statement()
  }

  const store: SqlStore = {
    dialect: 'sqlite',
    all: (source, params = []) => outside(() => allRows(db, source, params)),
    get: (source, params = []) => outside(() => oneRow(db, source, params)),
    values: (source, params = []) => outside(() => valueRows(db, source, params)),
    run: (source, params = []) => outside(() => runStatement(db, source, params)),
    runUnlessBusy: (source, params = []) => outside(() => runUnlessBusy(db, source, params)),
    send: async (source, params = []) => {
      await outside(() => runStatement(db, source, params))
    },
    async transaction(work, { mode = 'immediate' } = {}) {
      scope.refuseInside()
      return queue.run(() => scope.run(() => inTransaction(db, mode, work)))
    },
    async close() {
      await queue.run(() => db.$client.close())
    },
  }
  return store
}

// `raw` is a mode of the one cached statement, so it is set on every call, both ways.
function allRows<Row>(db: SqliteDatabase, source: string, params: Params) {
  return sqliteStatement<Row>(db, source)
    .raw(false)
    .all(...params)
}

function oneRow<Row>(db: SqliteDatabase, source: string, params: Params) {
  return sqliteStatement<Row>(db, source)
    .raw(false)
    .get(...params)
}

function valueRows<Row extends unknown[]>(db: SqliteDatabase, source: string, params: Params) {
  return sqliteStatement(db, source)
    .raw(true)
    .all(...params) as Row[]
}

function runStatement(db: SqliteDatabase, source: string, params: Params) {
  return { changes: sqliteStatement(db, source).run(...params).changes }
}

// Outside a transaction: tried once, without SQLite's busy wait, which would hold up every request.
function runUnlessBusy(db: SqliteDatabase, source: string, params: Params) {
  const sqlite = db.$client
  const busyTimeout = sqlite.pragma('busy_timeout', { simple: true })
  sqlite.pragma('busy_timeout = 0')
  try {
    return runStatement(db, source, params)
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined
    throw error
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`)
  }
}

async function inTransaction<T>(
  db: SqliteDatabase,
  mode: TransactionMode,
  work: (tx: SqlRunner) => Promise<T>,
): Promise<T> {
  // One writer at a time is all SQLite has: work that locks its own rows takes the write lock too.
  sqliteStatement(db, mode === 'deferred' ? 'begin deferred' : 'begin immediate').run()
  const failedSend: FailedSend = {}
  try {
    const result = await work(transactionRunner(db, 1, failedSend))
    if (failedSend.failure) throw failedSend.failure.error
    sqliteStatement(db, 'commit').run()
    return result
  } catch (error) {
    // SQLite may have rolled back already (a full disk, say); a second rollback would throw over the cause.
    if (db.$client.inTransaction) sqliteStatement(db, 'rollback').run()
    throw error
  }
}

/**
 * A `send` that failed, and the depth it was sent at: thrown by every
 * statement after it and by the commit, until a savepoint around it is
 * undone, as PostgreSQL's store does with a write it did not wait for.
 */
type FailedSend = { failure?: { error: unknown; depth: number } }

/**
 * The connection as a transaction of depth `depth` sees it: statements run at
 * once (the transaction holds the queue), and a nested transaction is a
 * savepoint. Work on one transaction is one thing at a time: a statement or
 * savepoint while a nested one is open is refused, since it would land in
 * the savepoint by accident.
 */
function transactionRunner(db: SqliteDatabase, depth: number, failedSend: FailedSend): SqlRunner {
  let nestedOpen = false
  const now = async <T>(statement: () => T) => {
    if (nestedOpen) throw new Error('a statement on a transaction while a savepoint of it is open')
    if (failedSend.failure) throw failedSend.failure.error
    return statement()
  }
  const runner: SqlRunner = {
    dialect: 'sqlite',
    all: (source, params = []) => now(() => allRows(db, source, params)),
    get: (source, params = []) => now(() => oneRow(db, source, params)),
    values: (source, params = []) => now(() => valueRows(db, source, params)),
    run: (source, params = []) => now(() => runStatement(db, source, params)),
    runUnlessBusy: (source, params = []) => now(() => runStatement(db, source, params)),
    send: async (source, params = []) => {
      await now(() => {
        try {
          runStatement(db, source, params)
        } catch (error) {
          failedSend.failure = { error, depth }
        }
      })
    },
    async transaction(work) {
      if (nestedOpen) throw new Error('a savepoint on a transaction while another of it is open')
      const name = `nested_${depth}`
      nestedOpen = true
      sqliteStatement(db, `savepoint ${name}`).run()
      try {
        const result = await work(transactionRunner(db, depth + 1, failedSend))
        sqliteStatement(db, `release ${name}`).run()
        return result
      } catch (error) {
        if (db.$client.inTransaction) {
          sqliteStatement(db, `rollback to ${name}`).run()
          sqliteStatement(db, `release ${name}`).run()
          // Undone with everything sent in it, a failed write included.
          if ((failedSend.failure?.depth ?? 0) > depth) failedSend.failure = undefined
        }
        throw error
      } finally {
        nestedOpen = false
      }
    },
  }
  return runner
}
