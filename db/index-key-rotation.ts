import { setTimeout as sleep } from 'node:timers/promises'
import { indexKeyIdOf } from './blind-index'
import type { SqliteDatabase } from './client'
import { type PortalDatabase, prepared, withTransaction } from './database'
import { INDEXED_TABLES, type IndexedRow } from './indexed-columns'
import { MIN_PAUSE_MS, type RotationBatches } from './key-rotation'
import { readMeta, writeMeta } from './meta'
import { createPortalCrypto, type PortalCrypto } from './portal-crypto'
import type { SqlValue } from './sql-store'

/**
 * Which index key the stored digests are under, and moving them to another
 * while the portal serves. `portal_meta` holds the key's ID (`index_key_id`,
 * set when a database is first opened with index keys tracked). A rotation
 * records the key it moves to, recomputes every digest of `INDEXED_TABLES`
 * from its sealed value a batch per transaction, a cursor per table, and then
 * records the new key as the one everything is under. Meanwhile the portal
 * looks every value up under both keys (`PortalCrypto.lookup`), so nobody is
 * missed whichever side of the cursor their row is on.
 */

const STORED = 'index_key_id'
const MOVING_TO = 'index_rotation_to'
const cursorOf = (table: string) => `index_rotation_after:${table}`
/** Where letter codes and references without sealed copies are findable: see `unsealedPrintedCodes`. */
const UNSEALED_CODES = 'unsealed_printed_codes_index_key_id'
/** Left by migration 0021 in a database indexed before `index_key_id` was kept, necessarily under HMAC-SHA256. */
const UNTRACKED_SUITE = 'untracked_index_suite'

/**
 * `portal_meta` as meta.ts reads and writes it, but synchronously on the
 * SQLite connection: the rotation (SQLite only) moves its cursors inside its
 * batch transactions, which are synchronous. Everything that only reads the
 * state does so through meta.ts, on either backend.
 */
const BATCH_ROWS = 250
// A batch moves entries all over four large indexes: thousands of pages a commit. Kept in a larger
// cache, and copied back into the database file every so many batches (between batches, holding no
// lock) rather than after each commit, which wrote the same index pages back again and again: at a
// million members 2,900 rows/s became 4,900 (without the pauses), each batch holding the lock ~30 ms.
const RECOMPUTE_CACHE_KIB = 65_536
const CHECKPOINT_BATCHES = 20

export type IndexKeyState = {
  /** The key the digests are under; during a rotation, the key it moves from. */
  storedKeyId: string
  /** Set while a rotation is unfinished: the key it moves to. */
  movingToKeyId?: string
  /** The key printed codes without sealed copies are findable under, while any such code exists. */
  unsealedCodesKeyId?: string
  unsealedCodes: number
}

/**
 * Letter codes and message references issued before their sealed copies were
 * kept: nothing can recompute their digests, so they stay findable only under
 * the index key of their day, as long as that key is configured.
 */
export async function unsealedPrintedCodes(db: PortalDatabase): Promise<number> {
  const count = async (sql: string) => (await prepared(db, sql).value<number>()) ?? 0
  return (
    (await count(
      'select count(*) from notifications where letter_code_index is not null and letter_code_sealed is null',
    )) + (await count('select count(*) from messages where reference_sealed is null'))
  )
}

/**
 * The state, recorded first for a database that has none: its digests are
 * under the previous key when one is configured (a rotation is what that
 * means), under the current one otherwise, and under the suite of their day.
 */
export async function indexKeyState(db: PortalDatabase, crypto: PortalCrypto): Promise<IndexKeyState> {
  // Counted first: on a schema older than the sealed codes this throws before anything is recorded.
  const unsealedCodes = await unsealedPrintedCodes(db)
  let storedKeyId = await readMeta(db, STORED)
  if (!storedKeyId) {
    const { indexKey, previousIndexKey } = crypto.secrets
    const untracked = await readMeta(db, UNTRACKED_SUITE)
    storedKeyId =
      untracked === 'hmac-sha256'
        ? indexKeyIdOf(previousIndexKey ?? indexKey, untracked)
        : previousIndexKey
          ? indexKeyIdOf(previousIndexKey)
          : crypto.indexKeyId
    await writeMeta(db, STORED, storedKeyId)
  }
  let unsealedCodesKeyId = await readMeta(db, UNSEALED_CODES)
  if (unsealedCodes > 0 && !unsealedCodesKeyId) {
    unsealedCodesKeyId = storedKeyId
    await writeMeta(db, UNSEALED_CODES, unsealedCodesKeyId)
  }
  const movingToKeyId = await readMeta(db, MOVING_TO)
  return {
    storedKeyId,
    ...(movingToKeyId && { movingToKeyId }),
    ...(unsealedCodes > 0 && unsealedCodesKeyId && { unsealedCodesKeyId }),
    unsealedCodes,
  }
}

/**
 * Why these keys cannot serve this database, or undefined: stored digests (or
 * printed codes) under a key that is neither the current nor the previous
 * one would find nobody, and a rotation left half-way to another key leaves
 * digests under three.
 */
export function indexKeyProblem(state: IndexKeyState, crypto: PortalCrypto) {
  const known = crypto.knownIndexKeys
  if (state.movingToKeyId && state.movingToKeyId !== crypto.indexKeyId)
    return `An index-key rotation to key ${state.movingToKeyId} is unfinished: configure that key as PORTAL_INDEX_KEY and key ${state.storedKeyId} as PORTAL_PREVIOUS_INDEX_KEY, and run npm run keys:rotate to its end.`
  if (!known.has(state.storedKeyId))
    return `Stored blind indexes are under index key ${state.storedKeyId}, which is neither PORTAL_INDEX_KEY nor PORTAL_PREVIOUS_INDEX_KEY: configure it as one of them (README, "Index keys").`
  if (state.unsealedCodesKeyId && !known.has(state.unsealedCodesKeyId))
    return `${state.unsealedCodes.toLocaleString('en')} letter codes and message references printed before this version are findable only under index key ${state.unsealedCodesKeyId}: configure it as PORTAL_PREVIOUS_INDEX_KEY (README, "Index keys").`
  const older = olderIndexKeyIds(state, crypto.indexKeyId)
  if (older.length > 1)
    return `Stored blind indexes are under index key ${older[0]}, and ${state.unsealedCodes.toLocaleString('en')} letter codes and message references printed before this version only under key ${older[1]}; lookups use one key beside the current one, so no rotation can start while both are needed. Configure the index key you had before (README, "Index keys").`
  return undefined
}

/** The keys, other than the current one, that stored digests or printed codes are under. */
const olderIndexKeyIds = (
  state: Pick<IndexKeyState, 'storedKeyId' | 'unsealedCodesKeyId'>,
  currentKeyId: string,
) =>
  [...new Set([state.storedKeyId, state.unsealedCodesKeyId])].filter(
    (id): id is string => id !== undefined && id !== currentKeyId,
  )

/**
 * The keys as this database needs them: every lookup also under the key (or
 * suite) its digests may still be under, which after an upgrade is the
 * current key's under the earlier suite, with no previous key configured.
 * Reads what `indexKeyState` recorded, and records nothing: a command calls it
 * after its migrations and `checkIndexKeysForCommand`, which records the state
 * of a database first opened; before that the keys are returned as they are.
 */
export async function cryptoForDatabase(db: PortalDatabase, crypto: PortalCrypto): Promise<PortalCrypto> {
  const storedKeyId = await readMeta(db, STORED)
  if (!storedKeyId) return crypto
  const state = { storedKeyId, unsealedCodesKeyId: await readMeta(db, UNSEALED_CODES) }
  const [older] = olderIndexKeyIds(state, crypto.indexKeyId)
  if (older === undefined || older === crypto.previousIndexKeyId) return crypto
  return createPortalCrypto({ ...crypto.secrets, indexedAlsoUnder: older })
}

/** True while some stored digest may still be under the previous key. */
export const rotationUnfinished = (state: IndexKeyState, crypto: PortalCrypto) =>
  state.storedKeyId !== crypto.indexKeyId || state.movingToKeyId !== undefined

/** Digests not yet recomputed under the current key: every indexed row, unless everything is under it. */
export async function countDigestRowsToRecompute(
  db: PortalDatabase,
  state: IndexKeyState,
  crypto: PortalCrypto,
): Promise<number> {
  if (!rotationUnfinished(state, crypto)) return 0
  let sum = 0
  for (const { table, select } of INDEXED_TABLES) {
    const after = await readMeta(db, cursorOf(table))
    const rows = `select count(*) from (${select.replace(/limit \?$/, '')}) as pending`
    sum += (await prepared(db, rows).value<number>(after ? JSON.parse(after) : 0)) ?? 0
  }
  return sum
}

/**
 * Recomputes every stored digest under the current index key, resumable: a
 * killed run loses the batch in flight at most, and the next run carries on
 * from each table's cursor. Returns how many rows it recomputed. On either
 * backend; given SQLite's own connection (`sqlite`), the file is tuned for
 * the run (see RECOMPUTE_CACHE_KIB).
 */
export async function recomputeDigests(
  db: PortalDatabase,
  crypto: PortalCrypto,
  {
    progress,
    batchRows = BATCH_ROWS,
    pauseRatio = 1,
    sqlite,
  }: RotationBatches & { sqlite?: SqliteDatabase } = {},
) {
  const state = await indexKeyState(db, crypto)
  const problem = indexKeyProblem(state, crypto)
  if (problem) throw new Error(problem)
  if (!rotationUnfinished(state, crypto)) return 0
  const total = await countDigestRowsToRecompute(db, state, crypto)
  await writeMeta(db, MOVING_TO, crypto.indexKeyId)
  let done = 0
  progress?.(done, total)
  // A row that cannot be recomputed stops the run at the same batch each time: named, it can be looked at.
  const recomputed = (table: string, row: IndexedRow) => {
    const entry = INDEXED_TABLES.find((indexed) => indexed.table === table) as (typeof INDEXED_TABLES)[number]
    try {
      return entry.digests(row, crypto.index, crypto.keyring)
    } catch (error) {
      throw new Error(
        `${table} row ${row.key}: ${error instanceof Error ? error.message : 'its digests could not be recomputed'}`,
      )
    }
  }
  const file = sqlite?.$client
  const cacheBefore = file?.pragma('cache_size', { simple: true })
  const checkpointBefore = file?.pragma('wal_autocheckpoint', { simple: true })
  file?.pragma(`cache_size = -${RECOMPUTE_CACHE_KIB}`)
  file?.pragma('wal_autocheckpoint = 0')
  try {
    const checkpoint = () => file?.pragma('wal_checkpoint(PASSIVE)')
    done = await recomputeTables(db, recomputed, { batchRows, pauseRatio, done, total, progress, checkpoint })
  } finally {
    if (file) {
      file.pragma(`cache_size = ${cacheBefore}`)
      file.pragma(`wal_autocheckpoint = ${checkpointBefore}`)
      file.pragma('wal_checkpoint(PASSIVE)')
    }
  }
  await withTransaction(db, async (tx) => {
    await writeMeta(tx, STORED, crypto.indexKeyId)
    await prepared(tx, `delete from portal_meta where key = ? or key like 'index_rotation_after:%'`).run(
      MOVING_TO,
    )
  })
  return done
}

/** Every table's rows from its cursor on, a batch a transaction; returns the count done, carried on from `done`. */
async function recomputeTables(
  db: PortalDatabase,
  recomputed: (table: string, row: IndexedRow) => unknown[],
  {
    batchRows,
    pauseRatio,
    done: doneBefore,
    total,
    progress,
    checkpoint,
  }: {
    batchRows: number
    pauseRatio: number
    done: number
    total: number
    progress: RotationBatches['progress']
    /** Copies the batches back into SQLite's file, between batches. */
    checkpoint: () => void
  },
) {
  let done = doneBefore
  let batches = 0
  for (const { table, select, update } of INDEXED_TABLES) {
    const stored = await readMeta(db, cursorOf(table))
    let after: unknown = stored ? JSON.parse(stored) : 0
    for (;;) {
      const started = performance.now()
      const rows = await withTransaction(db, async (tx) => {
        const batch = await prepared<IndexedRow>(tx, select).all(after as number, batchRows)
        const write = prepared(tx, update)
        // Sent one after another as the map runs, and waited for together (see key-rotation.ts).
        await Promise.all(batch.map((row) => write.send(...(recomputed(table, row) as SqlValue[]))))
        const last = batch.at(-1)
        if (last) await writeMeta(tx, cursorOf(table), JSON.stringify(last.key))
        return batch
      })
      if (rows.length === 0) break
      after = rows.at(-1)?.key
      done += rows.length
      progress?.(done, total)
      // The portal's own writes get the lock between batches at least as long as a batch held it.
      const held = performance.now() - started
      if (++batches % CHECKPOINT_BATCHES === 0) checkpoint()
      await sleep(Math.max(MIN_PAUSE_MS, pauseRatio * held))
    }
  }
  return done
}
