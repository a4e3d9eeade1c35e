import { setTimeout as sleep } from 'node:timers/promises'
import type { SqliteDatabase } from './client'
import { CURRENT_SUITE, type Keyring, seal, UnsealError, unseal } from './seal'
import { SEALED_COLUMNS } from './sealed-columns'

/**
 * Data-key rotation while the portal serves: every value not sealed under the
 * current key and suite is opened (with whichever configured key sealed it)
 * and sealed again, a small batch per transaction. A killed run loses at most
 * the batch in flight, and running again simply finds what is left, since the
 * first three bytes of a value say which suite and key sealed it. Between
 * batches the write lock is left free at least as long as a batch held it, so
 * the portal's own writes (sessions, codes, confirmations) wait one batch at
 * most.
 */

/** How a rotation's batches go, re-sealing or recomputing digests. */
export type RotationBatches = {
  progress?: (done: number, total: number) => void
  batchRows?: number
  /** The pause after each batch as a multiple of the time it held the write lock (keys:rotate triples it while a portal serves). */
  pauseRatio?: number
}

/** Rows per transaction: about 2 ms of the write lock for small values. */
const BATCH_ROWS = 250
/** Never less than this between batches, however quick the batch was. */
const MIN_PAUSE_MS = 2

/** The three bytes a value sealed now starts with: the suite, then the key's ID. */
function currentHeader(keyring: Keyring) {
  const header = Buffer.alloc(3)
  header.writeUInt8(CURRENT_SUITE, 0)
  header.writeUInt16BE(keyring.current.id, 1)
  return header
}

/** How many values are not yet under the current key and suite. */
export function countValuesToReseal(db: SqliteDatabase, keyring: Keyring) {
  const header = currentHeader(keyring)
  return SEALED_COLUMNS.reduce(
    (sum, { table, column }) =>
      sum +
      (db.$client
        .prepare(`select count(*) from ${table} where ${column} is not null and substr(${column}, 1, 3) != ?`)
        .pluck()
        .get(header) as number),
    0,
  )
}

type StaleRow = { key: unknown; also: unknown; sealed: Buffer }

/**
 * Seals again every value not under the current key and suite, column by
 * column in key order; returns how many it sealed.
 */
export async function resealValues(
  db: SqliteDatabase,
  keyring: Keyring,
  { progress, batchRows = BATCH_ROWS, pauseRatio = 1 }: RotationBatches = {},
) {
  const sqlite = db.$client
  const header = currentHeader(keyring)
  const total = countValuesToReseal(db, keyring)
  let done = 0
  progress?.(done, total)
  for (const entry of SEALED_COLUMNS) {
    const { table, column, key } = entry
    const also = 'also' in entry ? entry.also : 'null'
    // Two statements, not `(@after is null or key > @after)`: SQLite cannot seek past `after` through
    // an OR, so each batch would read the table from its start, every row already sealed again included.
    const staleFrom = (start: string) =>
      sqlite.prepare(`
        select ${key} as key, ${also} as also, ${column} as sealed from ${table}
        where ${start} ${column} is not null and substr(${column}, 1, 3) != @header
        order by ${key} limit @limit`)
    const first = staleFrom('')
    const next = staleFrom(`${key} > @after and`)
    const update = sqlite.prepare(`update ${table} set ${column} = ? where ${key} = ?`)
    const batch = sqlite.transaction((after: unknown) => {
      const rows = (
        after === null
          ? first.all({ header, limit: batchRows })
          : next.all({ header, after, limit: batchRows })
      ) as StaleRow[]
      for (const row of rows) {
        const context = entry.context(row.key as never, row.also as never)
        const plaintext = openOrSay(`${table}.${column}`, () =>
          unseal({ keyring, context, sealed: row.sealed }),
        )
        update.run(seal({ keyring, context, plaintext }), row.key)
      }
      return rows
    })
    for (let after: unknown = null; ; ) {
      const started = performance.now()
      const rows = batch.immediate(after)
      const held = performance.now() - started
      done += rows.length
      progress?.(done, total)
      if (rows.length < batchRows) break
      after = (rows.at(-1) as StaleRow).key
      await sleep(Math.max(MIN_PAUSE_MS, pauseRatio * held))
    }
  }
  return done
}

/** Which column held a value that does not open, and why; the batch it was in is rolled back. */
function openOrSay(where: string, open: () => Buffer) {
  try {
    return open()
  } catch (error) {
    if (error instanceof UnsealError)
      throw new UnsealError(
        `a value in ${where} does not open: ${error.message}; its batch was left as it was`,
      )
    throw error
  }
}
