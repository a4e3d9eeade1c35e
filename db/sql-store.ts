import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The one contract `db/` modules run their SQL through, whichever backend
 * holds the data: SQLite in this process (sqlite-store.ts) or a PostgreSQL
 * server shared by several nodes (postgres/postgres-store.ts).
 *
 * SQL is written once, with `?` placeholders, in the part of SQL both speak
 * (upserts with ON CONFLICT, RETURNING, CTEs); what only one speaks lives in
 * that backend's module. Values go in and come back as SQLite has them:
 * numbers (counts, IDs and moments as epoch milliseconds), text, Buffers and
 * null; a flag is 0 or 1, never a boolean.
 *
 * Every call is asynchronous, so that a server a network away fits the same
 * shape as a file in the process. That has one price for SQLite, whose one
 * connection all of a process's requests share: a transaction stays open
 * across its `await`s, so the store queues everything else behind it (see
 * `TransactionQueue`), and work inside a transaction must run on the
 * transaction it was given, never on the store (which throws, rather than
 * wait for itself).
 */

export type Dialect = 'sqlite' | 'postgres'

export type SqlValue = number | string | Buffer | null

export type Params = readonly SqlValue[]

/**
 * How long a statement waits for the database (SQLite's write lock; on
 * PostgreSQL a free connection or a lock) before it fails as busy: long enough
 * for any burst of writers to pass, short enough that a person is told to try
 * again rather than left waiting.
 */
export const BUSY_TIMEOUT_MS = 5000

/** The code of an error PostgreSQL's store throws when the database had no time for a statement. */
export const BUSY_ERROR_CODE = 'PORTAL_DATABASE_BUSY'

export type TransactionMode = 'immediate' | 'deferred' | 'row-locking'

export type TransactionOptions = { mode?: TransactionMode; turnOf?: readonly Buffer[] }

export interface SqlRunner {
  readonly dialect: Dialect
  all<Row>(source: string, params?: Params): Promise<Row[]>
  get<Row>(source: string, params?: Params): Promise<Row | undefined>
  /** Rows as arrays of their columns in order: for a query whose columns share a name (a join's IDs). */
  values<Row extends unknown[]>(source: string, params?: Params): Promise<Row[]>
  /** A statement whose rows are not wanted; how many rows it changed. */
  run(source: string, params?: Params): Promise<{ changes: number }>
  /**
   * A write that can wait for a later request: skipped (undefined) rather
   * than waited for when another process holds SQLite's write lock, since
   * better-sqlite3 would block the whole process while it waited. Inside a
   * transaction, and on PostgreSQL (where waiting blocks nobody else), it runs
   * as `run` does.
   */
  runUnlessBusy(source: string, params?: Params): Promise<{ changes: number } | undefined>
  /**
   * A write whose outcome the work does not look at (no rows, no count). In a
   * PostgreSQL transaction it is sent at once and not waited for: it goes
   * down the connection with whatever follows it, and costs no round trip of
   * its own. On either backend its failure is thrown by the next statement
   * waited for, or by the commit, unless a savepoint around it is undone
   * first (which undoes the write, and its failure, with the rest): only for
   * writes no caller expects to fail. Outside a transaction it runs as `run`.
   */
  send(source: string, params?: Params): Promise<void>
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back
   * when it throws. Called on a transaction, `work` runs in a savepoint of
   * it, so a throw undoes only `work`. `immediate` (the default) is for work
   * that writes: it waits its turn among the writers (SQLite's write lock,
   * or PostgreSQL's advisory one across every node) and then sees all they
   * committed. `deferred` reads a consistent snapshot and takes no turn; on
   * PostgreSQL one that writes and loses a race is run again, so `work` must
   * do nothing but database work. `row-locking` is for writes that are right
   * without a turn, since they lock the rows they change as they go (a
   * queue's claim with `for update`, a delete of expired rows) and decide
   * nothing on rows read unlocked: SQLite runs it as `immediate`; PostgreSQL
   * runs it read committed with no turn, so such work on several nodes runs
   * side by side.
   *
   * `turnOf` narrows an `immediate` transaction's turn to the writers of the
   * same keys (an address's digests, say), for work whose reads and writes
   * touch only rows those keys name, and rows it adds: on PostgreSQL it
   * waits only for transactions holding one of them, so writers of other
   * keys go side by side on every node. SQLite has one write lock; it takes
   * that, as ever.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T>
}

export interface SqlStore extends SqlRunner {
  close(): Promise<void>
}

/**
 * Marks the async context of an open transaction, per store, so that a call
 * on the store itself from inside it fails at once with a clear message. On
 * SQLite it would wait for its own transaction forever; on PostgreSQL it would
 * quietly run outside it.
 */
export class TransactionScope {
  readonly #open = new AsyncLocalStorage<true>()

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.#open.run(true, work)
  }

  refuseInside() {
    if (this.#open.getStore()) {
      throw new Error(
        'a statement on the store inside one of its transactions: run it on the transaction given',
      )
    }
  }
}

/**
 * First come, first served, one at a time: SQLite's transactions in one
 * process, which share its one connection. A statement outside any
 * transaction runs at once when nothing is queued (and so costs no turn of
 * the event loop), and otherwise takes its place in the queue.
 */
export class TransactionQueue {
  #tail: Promise<void> = Promise.resolve()
  #waiting = 0

  get busy() {
    return this.#waiting > 0
  }

  async run<T>(work: () => Promise<T> | T): Promise<T> {
    this.#waiting++
    const previous = this.#tail
    let release = () => {}
    this.#tail = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      await previous
      return await work()
    } finally {
      this.#waiting--
      release()
    }
  }
}
