import type pg from 'pg'
import {
  BUSY_ERROR_CODE,
  type Params,
  type SqlRunner,
  type SqlStore,
  type TransactionMode,
  TransactionScope,
} from '../sql-store'
import { postgresStatement } from './placeholders'

/**
 * The SQL contract (sql-store.ts) on a PostgreSQL server: a pool of
 * connections, each statement prepared once per connection under a name.
 *
 * A transaction that writes (`immediate`, the default) first takes one
 * advisory lock, the database's write lock, held until it ends: writers take
 * turns across every node as they do on SQLite, each seeing all that the ones
 * before it committed. The portal's read-then-write work (a limit counted and
 * then passed, the audit chain's head read and then moved) was written for
 * exactly that, and so stays right with any number of nodes. (Serializable
 * isolation alone was tried: twenty callers on one row failed past ten
 * retries each.) A `deferred` transaction reads one consistent snapshot, as
 * SQLite's read transactions do, and takes no turn; nor does a `row-locking`
 * one, which writes only rows it locks as it goes (a queue's claim, a sweep).
 */

// Any fixed number: PostgreSQL names advisory locks by integers (migrations use another).
export const WRITE_LOCK = 7_231_027

// 40001 serialization_failure, 40P01 deadlock_detected: PostgreSQL's own word that trying again is
// safe. Only a transaction that takes no turn can meet either; writers in turn never do.
const RETRIED_CODES = new Set(['40001', '40P01'])
const MAX_ATTEMPTS = 5

// 55P03 lock_not_available: a lock not had within lock_timeout (client.ts), as SQLITE_BUSY is.
const BUSY_CODES = new Set(['55P03', ...RETRIED_CODES])
// pg-pool's words when no connection came free within connectionTimeoutMillis; it gives no code.
const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect'

/**
 * The database had no time for this statement (no connection came free, a
 * lock was not had, a conflict outlived its retries): nothing was written and
 * the same request moments later will likely succeed. Given one code, the one
 * callers look for (BUSY_ERROR_CODE in sql-store.ts), as SQLite's busy is.
 */
function asBusy(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  const busy = (typeof code === 'string' && BUSY_CODES.has(code)) || message === POOL_TIMEOUT_MESSAGE
  if (!busy) return error
  return Object.assign(new Error('the database is busy', { cause: error }), { code: BUSY_ERROR_CODE })
}

async function orBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw asBusy(error)
  }
}

type Queryable = pg.Pool | pg.PoolClient

export function postgresStore(pool: pg.Pool): SqlStore {
  const scope = new TransactionScope()
  const outside = async <T>(statement: () => Promise<T>) => {
    scope.refuseInside()
    return orBusy(statement)
  }
  return {
    dialect: 'postgres',
    all: <Row>(source: string, params: Params = []) => outside(() => allRows<Row>(pool, source, params)),
    get: <Row>(source: string, params: Params = []) =>
      outside(async () => (await allRows<Row>(pool, source, params))[0]),
    values: <Row extends unknown[]>(source: string, params: Params = []) =>
      outside(() => valueRows<Row>(pool, source, params)),
    run: (source, params = []) => outside(() => runStatement(pool, source, params)),
    runUnlessBusy: (source, params = []) => outside(() => runStatement(pool, source, params)),
    async transaction(work, { mode = 'immediate' } = {}) {
      scope.refuseInside()
      const client = await orBusy(() => pool.connect())
      let broken = false
      try {
        return await orBusy(() =>
          scope.run(() =>
            withRetries(client, mode, work, () => {
              broken = true
            }),
          ),
        )
      } finally {
        // A connection that could not even roll back is closed, not handed to the next caller.
        client.release(broken)
      }
    },
    close: () => pool.end(),
  }
}

async function allRows<Row>(on: Queryable, source: string, params: Params): Promise<Row[]> {
  const result = await on.query({ ...postgresStatement(source), values: [...params] })
  return result.rows as Row[]
}

async function valueRows<Row extends unknown[]>(on: Queryable, source: string, params: Params) {
  const result = await on.query({ ...postgresStatement(source), values: [...params], rowMode: 'array' })
  return result.rows as Row[]
}

async function runStatement(on: Queryable, source: string, params: Params) {
  const result = await on.query({ ...postgresStatement(source), values: [...params] })
  return { changes: result.rowCount ?? 0 }
}

async function withRetries<T>(
  client: pg.PoolClient,
  mode: TransactionMode,
  work: (tx: SqlRunner) => Promise<T>,
  markBroken: () => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Begun inside the try: a turn not had in time (lock_timeout) leaves the transaction aborted,
      // and it must be rolled back before the connection goes back to the pool.
      await begin(client, mode)
      const result = await work(transactionRunner(client, 1))
      await client.query('commit')
      return result
    } catch (error) {
      try {
        await client.query('rollback')
      } catch {
        markBroken()
        throw error
      }
      if (attempt >= MAX_ATTEMPTS || !RETRIED_CODES.has((error as { code?: string }).code ?? '')) throw error
    }
  }
}

async function begin(client: pg.PoolClient, mode: TransactionMode) {
  if (mode === 'immediate') {
    await client.query('begin')
    await client.query({ ...postgresStatement('select pg_advisory_xact_lock(?)'), values: [WRITE_LOCK] })
  } else if (mode === 'row-locking') {
    // Read committed, no turn: its `for update` locks are all it needs, and a row locked or
    // changed by another since is looked at again (or skipped) rather than failing the transaction.
    await client.query('begin')
  } else {
    await client.query('begin isolation level repeatable read')
  }
}

/** The transaction's connection; a nested transaction is a savepoint, as on SQLite. */
function transactionRunner(client: pg.PoolClient, depth: number): SqlRunner {
  let nestedOpen = false
  const now = async <T>(statement: () => Promise<T>) => {
    if (nestedOpen) throw new Error('a statement on a transaction while a savepoint of it is open')
    return statement()
  }
  return {
    dialect: 'postgres',
    all: <Row>(source: string, params: Params = []) => now(() => allRows<Row>(client, source, params)),
    get: <Row>(source: string, params: Params = []) =>
      now(async () => (await allRows<Row>(client, source, params))[0]),
    values: <Row extends unknown[]>(source: string, params: Params = []) =>
      now(() => valueRows<Row>(client, source, params)),
    run: (source, params = []) => now(() => runStatement(client, source, params)),
    runUnlessBusy: (source, params = []) => now(() => runStatement(client, source, params)),
    async transaction(work) {
      if (nestedOpen) throw new Error('a savepoint on a transaction while another of it is open')
      const name = `nested_${depth}`
      nestedOpen = true
      await client.query(`savepoint ${name}`)
      try {
        const result = await work(transactionRunner(client, depth + 1))
        await client.query(`release savepoint ${name}`)
        return result
      } catch (error) {
        await client.query(`rollback to savepoint ${name}`)
        await client.query(`release savepoint ${name}`)
        throw error
      } finally {
        nestedOpen = false
      }
    },
  }
}
