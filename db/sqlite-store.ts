import { type PortalDatabase, prepared } from './client'
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
export function sqliteStore(db: PortalDatabase): SqlStore {
  const queue = new TransactionQueue()
  const scope = new TransactionScope()

  // Outside a transaction: at once when none is open or waiting, else after them.
  async function outside<T>(statement: () => T): Promise<T> {
    scope.refuseInside()
    return queue.busy ? queue.run(statement) : statement()
  }

  return {
    dialect: 'sqlite',
    all: (source, params = []) => outside(() => allRows(db, source, params)),
    get: (source, params = []) => outside(() => oneRow(db, source, params)),
    run: (source, params = []) => outside(() => runStatement(db, source, params)),
    async transaction(work, { mode = 'immediate' } = {}) {
      scope.refuseInside()
      return queue.run(() => scope.run(() => inTransaction(db, mode, work)))
    },
    async close() {
      await queue.run(() => db.$client.close())
    },
  }
}

function allRows<Row>(db: PortalDatabase, source: string, params: Params) {
  return prepared<Row>(db, source).all(...params)
}

function oneRow<Row>(db: PortalDatabase, source: string, params: Params) {
  return prepared<Row>(db, source).get(...params)
}

function runStatement(db: PortalDatabase, source: string, params: Params) {
  return { changes: prepared(db, source).run(...params).changes }
}

async function inTransaction<T>(
  db: PortalDatabase,
  mode: TransactionMode,
  work: (tx: SqlRunner) => Promise<T>,
): Promise<T> {
  prepared(db, `begin ${mode}`).run()
  try {
    const result = await work(transactionRunner(db, 1))
    prepared(db, 'commit').run()
    return result
  } catch (error) {
    // SQLite may have rolled back already (a full disk, say); a second rollback would throw over the cause.
    if (db.$client.inTransaction) prepared(db, 'rollback').run()
    throw error
  }
}

/**
 * The connection as a transaction of depth `depth` sees it: statements run at
 * once (the transaction holds the queue), and a nested transaction is a
 * savepoint. Work on one transaction is one thing at a time: a statement or
 * savepoint while a nested one is open is refused, since it would land in
 * the savepoint by accident.
 */
function transactionRunner(db: PortalDatabase, depth: number): SqlRunner {
  let nestedOpen = false
  const now = async <T>(statement: () => T) => {
    if (nestedOpen) throw new Error('a statement on a transaction while a savepoint of it is open')
    return statement()
  }
  return {
    dialect: 'sqlite',
    all: (source, params = []) => now(() => allRows(db, source, params)),
    get: (source, params = []) => now(() => oneRow(db, source, params)),
    run: (source, params = []) => now(() => runStatement(db, source, params)),
    async transaction(work) {
      if (nestedOpen) throw new Error('a savepoint on a transaction while another of it is open')
      const name = `nested_${depth}`
      nestedOpen = true
      prepared(db, `savepoint ${name}`).run()
      try {
        const result = await work(transactionRunner(db, depth + 1))
        prepared(db, `release ${name}`).run()
        return result
      } catch (error) {
        if (db.$client.inTransaction) {
          prepared(db, `rollback to ${name}`).run()
          prepared(db, `release ${name}`).run()
        }
        throw error
      } finally {
        nestedOpen = false
      }
    },
  }
}
