import { drizzle, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy'
import type { Params, SqlRunner, SqlValue, TransactionMode, TransactionOptions } from './sql-store'

/**
 * The database as `db/` modules use it, on either backend: drizzle's query
 * builders and hand-written statements (`prepared`), both asynchronous and
 * both run through the SQL contract (sql-store.ts) underneath.
 *
 * drizzle builds its queries in SQLite's dialect from the one schema
 * (schema.ts): double-quoted names, `?` placeholders, moments as epoch
 * milliseconds and flags as 0 or 1. The PostgreSQL schema stores the same
 * values in the same columns, so the same SQL runs there once its
 * placeholders are numbered (postgres/placeholders.ts).
 */
export type PortalDatabase = SqliteRemoteDatabase & {
  /** The connection, pool or transaction the statements run on. */
  readonly $runner: SqlRunner
}

export type { TransactionMode, TransactionOptions }

const databases = new WeakMap<SqlRunner, PortalDatabase>()

/** The portal database on `runner`; one per runner, so a store's is made once. */
export function portalDatabase(runner: SqlRunner): PortalDatabase {
  let db = databases.get(runner)
  if (!db) {
    db = Object.assign(drizzle(proxyOf(runner)), { $runner: runner })
    databases.set(runner, db)
  }
  return db
}

// drizzle's remote driver hands over SQL, values and what it wants back; rows come back as arrays.
function proxyOf(runner: SqlRunner) {
  return async (source: string, params: unknown[], method: 'run' | 'all' | 'values' | 'get') => {
    const values = params as SqlValue[]
    if (method === 'run') return { rows: [], ...(await runner.run(source, values)) }
    const rows = await runner.values(source, values)
    // For `get`, drizzle takes the one row itself (or undefined) where the rows would be.
    return { rows: (method === 'get' ? rows[0] : rows) as unknown[] }
  }
}

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back
 * when it throws (the error goes on to the caller). Everything in `work`
 * runs on the `tx` it is given, never on `db` (which throws: see
 * sql-store.ts `TransactionScope`), and `work` awaits nothing but the
 * database: on SQLite every other request of the process waits for it.
 *
 * `immediate` (the default) is for work that writes: it waits its turn among
 * writers, so a transaction that reads and then writes sees no change in
 * between; `deferred` is for work that only reads a consistent picture;
 * `row-locking` is for writes that lock their own rows as they go (see
 * sql-store.ts), which on PostgreSQL then take no turn among the writers;
 * `turnOf` narrows an immediate transaction's turn to the writers of the same
 * keys (see sql-store.ts).
 * Called on a transaction, `work` runs in a savepoint of it whatever the
 * mode: a throw undoes only `work`, and the outer transaction carries on if
 * it catches the error.
 */
export function withTransaction<T>(
  db: PortalDatabase,
  work: (tx: PortalDatabase) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return db.$runner.transaction((runner) => work(portalDatabase(runner)), options)
}

// Thrown to undo a savepoint: one made once, so the undoing branch costs no more than the keeping one.
const UNDONE: unique symbol = Symbol('undone')

/**
 * Runs `work` (inserts, updates, anything) in a savepoint of the caller's
 * transaction, then keeps it or undoes it. A branch that must leave no trace
 * (`keep: false`) thus costs what the branch that does would: the same
 * statements, seals and index updates, the same savepoint, and a rollback to
 * it instead of keeping them. Undone work must still satisfy every
 * constraint, foreign keys included, as it runs.
 */
export async function tentatively(
  tx: PortalDatabase,
  { keep }: { keep: boolean },
  work: (savepoint: PortalDatabase) => Promise<void>,
) {
  try {
    await withTransaction(tx, async (savepoint) => {
      await work(savepoint)
      if (!keep) throw UNDONE
    })
  } catch (error) {
    if (error !== UNDONE) throw error
  }
}

/**
 * A hand-written statement, for SQL the query builders do not say as well:
 * compiled once per connection by the backend and reused. Only for SQL built
 * from constants, so the backends' statement caches stay as small as the code.
 */
export function prepared<Row = unknown>(db: PortalDatabase, source: string) {
  const runner = db.$runner
  return {
    all: (...params: Params) => runner.all<Row>(source, params),
    get: (...params: Params) => runner.get<Row>(source, params),
    run: (...params: Params) => runner.run(source, params),
    /** A write whose outcome is not looked at: in a PostgreSQL transaction, not waited for (`SqlRunner.send`). */
    send: (...params: Params) => runner.send(source, params),
    /** The first column of the first row (a count, an ID), or undefined when there is no row. */
    value: async <Value = unknown>(...params: Params) =>
      (await runner.values<[Value]>(source, params))[0]?.[0],
  }
}
