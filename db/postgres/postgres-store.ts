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
 * advisory lock, the database's write lock, held until it ends (or, given
 * `turnOf`, one lock a key instead, see beginTurnsOf): writers take
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
// safe. Writers in the database's turn never meet either; the others can.
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
  // A transaction sends what it need not wait for down the connection at once (TransactionConnection).
  if (!pool.options.pipeline) throw new Error('a PostgreSQL store needs a pool opened with pipeline on')
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
    send: async (source, params = []) => {
      await outside(() => runStatement(pool, source, params))
    },
    async transaction(work, { mode = 'immediate', turnOf } = {}) {
      scope.refuseInside()
      const begin = mode === 'immediate' && turnOf !== undefined ? beginTurnsOf(turnOf) : BEGIN[mode]
      const client = await orBusy(() => pool.connect())
      let broken = false
      try {
        return await orBusy(() =>
          scope.run(() =>
            withRetries(client, begin, work, () => {
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
  begin: string,
  work: (tx: SqlRunner) => Promise<T>,
  markBroken: () => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Begun inside the try: a turn not had in time (lock_timeout) leaves the transaction aborted,
      // and it must be rolled back before the connection goes back to the pool.
      const connection = new TransactionConnection(client, begin)
      const result = await work(transactionRunner(connection))
      await connection.commit()
      return result
    } catch (error) {
      try {
        // Behind anything still unanswered on the connection, whose answers come first.
        await client.query('rollback')
      } catch {
        markBroken()
        throw error
      }
      if (attempt >= MAX_ATTEMPTS || !RETRIED_CODES.has((error as { code?: string }).code ?? '')) throw error
    }
  }
}

// Each one message (a query without parameters may hold several statements).
const BEGIN: Record<TransactionMode, string> = {
  immediate: `begin; select pg_advisory_xact_lock(${WRITE_LOCK})`,
  // Read committed, no turn: its `for update` locks are all it needs, and a row locked or
  // changed by another since is looked at again (or skipped) rather than failing the transaction.
  'row-locking': 'begin',
  deferred: 'begin isolation level repeatable read',
}

// Another number space (the two-key form) for turns of one key's writers: see beginTurnsOf.
const KEYED_TURNS = 7_231_028

/**
 * Begins an immediate transaction whose turn is among the writers of these
 * keys only: one advisory lock a key (the first four bytes of a keyed digest
 * are as good as any hash; two keys sharing them only share a turn), taken in
 * one order by everyone, so two transactions never each wait for the other.
 */
function beginTurnsOf(keys: readonly Buffer[]) {
  const locks = [...new Set(keys.map((key) => key.readInt32BE(0)))].sort((a, b) => a - b)
  return ['begin', ...locks.map((lock) => `select pg_advisory_xact_lock(${KEYED_TURNS}, ${lock})`)].join('; ')
}

/**
 * A transaction's connection, in node-postgres's pipeline mode. A round trip
 * costs both processes a system call and a wake-up, more than most of the
 * portal's statements take to run, so a transaction waits only for answers
 * it needs: its begin (and turn), savepoints, releases, rollbacks and `send`
 * writes go down the connection at once, ahead of the next statement whose
 * rows or count the work awaits, and that one wait (or the commit's) takes
 * all their answers, in order. The first failure among them is the one
 * thrown (a statement after a failed one fails only for following it),
 * except a failure in a savepoint since undone, which undid it.
 *
 * A savepoint is made only once something runs in it, and nested
 * transactions opened with nothing run between them share one (undoing
 * either returns to the same state).
 */
class TransactionConnection {
  readonly #client: pg.PoolClient
  // Open nested transactions, innermost last, each with its savepoint once one is made.
  readonly #nested: Nested[] = []
  // Sent and not yet waited for, oldest first, each with the nested transactions it was sent in.
  #unanswered: { sent: Promise<unknown>; within: Nested[]; undone: boolean }[] = []
  #made = 0

  constructor(client: pg.PoolClient, begin: string) {
    this.#client = client
    this.#send((on) => on.query(begin))
  }

  /** A statement whose answer the work waits for, sent behind everything before it. */
  async statement<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#makeSavepoint()
    const answer = run(this.#client)
    // Its own failure is only looked at once the earlier answers are in (see #answers).
    answer.catch(() => {})
    await this.#answers()
    return answer
  }

  /** A write whose answer nobody waits for: its failure comes out at the next wait. */
  send(run: (client: pg.PoolClient) => Promise<unknown>) {
    this.#makeSavepoint()
    this.#send(run)
  }

  enterNested() {
    this.#nested.push({})
  }

  leaveNested({ keep }: { keep: boolean }) {
    const left = this.#nested.pop()
    // Nothing ran in it: there is nothing to keep or undo.
    if (left?.savepoint === undefined) return
    const commands = keep ? [] : [`rollback to savepoint ${left.savepoint}`]
    // Still the savepoint of the transaction around it, which may yet be undone.
    if (this.#nested.at(-1)?.savepoint !== left.savepoint)
      commands.push(`release savepoint ${left.savepoint}`)
    if (!keep) for (const entry of this.#unanswered) if (entry.within.includes(left)) entry.undone = true
    if (commands.length > 0) this.#send((on) => on.query(commands.join('; ')))
  }

  async commit() {
    this.#send((on) => on.query('commit'))
    await this.#answers()
  }

  #makeSavepoint() {
    const unmade = this.#nested.filter((nested) => nested.savepoint === undefined)
    if (unmade.length === 0) return
    const savepoint = `nested_${++this.#made}`
    for (const nested of unmade) nested.savepoint = savepoint
    this.#send((on) => on.query(`savepoint ${savepoint}`))
  }

  #send(run: (client: pg.PoolClient) => Promise<unknown>) {
    const sent = run(this.#client)
    // Looked at by the next wait; a failure until then is not an unhandled one.
    sent.catch(() => {})
    this.#unanswered.push({ sent, within: [...this.#nested], undone: false })
  }

  // Every answer owed, in the order sent; throws the first failure not undone since.
  async #answers() {
    const unanswered = this.#unanswered
    this.#unanswered = []
    for (const { sent, undone } of unanswered) {
      try {
        await sent
      } catch (error) {
        if (!undone) throw error
      }
    }
  }
}

type Nested = { savepoint?: string }

/** The transaction's connection; a nested transaction is a savepoint, as on SQLite. */
function transactionRunner(connection: TransactionConnection): SqlRunner {
  let nestedOpen = false
  const refuseWhileNested = () => {
    if (nestedOpen) throw new Error('a statement on a transaction while a savepoint of it is open')
  }
  const now = async <T>(statement: (client: pg.PoolClient) => Promise<T>) => {
    refuseWhileNested()
    return connection.statement(statement)
  }
  return {
    dialect: 'postgres',
    all: <Row>(source: string, params: Params = []) => now((client) => allRows<Row>(client, source, params)),
    get: <Row>(source: string, params: Params = []) =>
      now(async (client) => (await allRows<Row>(client, source, params))[0]),
    values: <Row extends unknown[]>(source: string, params: Params = []) =>
      now((client) => valueRows<Row>(client, source, params)),
    run: (source, params = []) => now((client) => runStatement(client, source, params)),
    runUnlessBusy: (source, params = []) => now((client) => runStatement(client, source, params)),
    async send(source, params = []) {
      refuseWhileNested()
      connection.send((client) => runStatement(client, source, params))
    },
    async transaction(work) {
      if (nestedOpen) throw new Error('a savepoint on a transaction while another of it is open')
      nestedOpen = true
      connection.enterNested()
      let keep = false
      try {
        const result = await work(transactionRunner(connection))
        keep = true
        return result
      } finally {
        connection.leaveNested({ keep })
        nestedOpen = false
      }
    },
  }
}
