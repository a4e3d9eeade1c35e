import { setTimeout as sleep } from 'node:timers/promises'
import { type PortalDatabase, prepared, withTransaction } from './database'
import { CURRENT_SUITE, type Keyring, seal, UnsealError, unseal } from './seal'
import { SEALED_COLUMNS } from './sealed-columns'

/**
 * Data-key rotation while the portal serves: every value not sealed under the
 * current key and suite is opened (with whichever configured key sealed it)
 * and sealed again, a small batch per transaction. A killed run loses at most
 * the batch in flight, and running again simply finds what is left, since the
 * first three bytes of a value say which suite and key sealed it. Between
 * batches the writers' turn is left free at least as long as a batch held it,
 * so the portal's own writes (sessions, codes, confirmations) wait one batch
 * at most. On either backend; on PostgreSQL, a value the portal changed while
 * its batch ran (an outbox row sent and emptied, say) is left as the portal
 * wrote it, since each value is written back only if it is still the one read.
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
export const MIN_PAUSE_MS = 2

/** The three bytes a value sealed now starts with: the suite, then the key's ID. */
function currentHeader(keyring: Keyring) {
  const header = Buffer.alloc(3)
  header.writeUInt8(CURRENT_SUITE, 0)
  header.writeUInt16BE(keyring.current.id, 1)
  return header
}

/** How many values are not yet under the current key and suite. */
export async function countValuesToReseal(db: PortalDatabase, keyring: Keyring) {
  const header = currentHeader(keyring)
  let sum = 0
  for (const { table, column } of SEALED_COLUMNS) {
    const stale = `select count(*) from ${table} where ${column} is not null and substr(${column}, 1, 3) != ?`
    sum += (await prepared(db, stale).value<number>(header)) ?? 0
  }
  return sum
}

type StaleRow = { key: unknown; also: unknown; sealed: Buffer }

/**
 * Seals again every value not under the current key and suite, column by
 * column in key order; returns how many it sealed.
 */
export async function resealValues(
  db: PortalDatabase,
  keyring: Keyring,
  { progress, batchRows = BATCH_ROWS, pauseRatio = 1 }: RotationBatches = {},
) {
  const header = currentHeader(keyring)
  const total = await countValuesToReseal(db, keyring)
  let done = 0
  progress?.(done, total)
  for (const entry of SEALED_COLUMNS) {
    const { table, column, key } = entry
    const also = 'also' in entry ? entry.also : 'null'
    // Two statements, not `(? is null or key > ?)`: SQLite cannot seek past `after` through an
    // OR, so each batch would read the table from its start, every row already sealed again included.
    const staleFrom = (start: string) => `
      select ${key} as key, ${also} as also, ${column} as sealed from ${table}
      where ${start} ${column} is not null and substr(${column}, 1, 3) != ?
      order by ${key} limit ?`
    const first = staleFrom('')
    const next = staleFrom(`${key} > ? and`)
    const update = `update ${table} set ${column} = ? where ${key} = ? and ${column} = ?`
    const batch = (after: unknown) =>
      withTransaction(db, async (tx) => {
        const rows =
          after === null
            ? await prepared<StaleRow>(tx, first).all(header, batchRows)
            : await prepared<StaleRow>(tx, next).all(after as number, header, batchRows)
        const write = prepared(tx, update)
        // Sent one after another as the map runs, and waited for together: a wait a row cost more
        // than the row's own statement.
        const writes = rows.map((row) => {
          const context = entry.context(row.key as never, row.also as never)
          const plaintext = openOrSay(`${table}.${column}`, () =>
            unseal({ keyring, context, sealed: row.sealed }),
          )
          return write.send(seal({ keyring, context, plaintext }), row.key as number, row.sealed)
        })
        await Promise.all(writes)
        return rows
      })
    for (let after: unknown = null; ; ) {
      const started = performance.now()
      const rows = await batch(after)
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
