import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../client'
import { createPortalCrypto, type PortalSecrets } from '../portal-crypto'
import { openPostgres } from '../postgres/client'
import { postgresChunkStore } from '../postgres/import-chunk-store'
import { type ChunkStore, createChunkStore } from './chunk-store'
import type { ExportKind } from './export-kinds'
import type { WorkerDatabase } from './import-target'
import { type ChunkJob, processChunk } from './process-chunk'

/**
 * A worker thread of the import: prepares chunks and writes them itself, in
 * file order, taking turns with the other workers through a shared counter.
 */
export type WorkerSetup = {
  keys: PortalSecrets
  /** The SQLite file, or the PostgreSQL server (one connection a worker). */
  database: WorkerDatabase
  /** Int32Array over a SharedArrayBuffer: the sequence number of the next chunk to be written. */
  turn: SharedArrayBuffer
}

export type WorkerMessage =
  | { type: 'file'; kind: ExportKind; bulk: boolean }
  | { type: 'chunk'; sequence: number; job: ChunkJob }

const setup = workerData as WorkerSetup
const crypto = createPortalCrypto(setup.keys)
const storeFor = openStores(setup.database)
const turn = new Int32Array(setup.turn)
let store: ChunkStore | undefined

function openStores(database: WorkerDatabase): (kind: ExportKind, bulk: boolean) => ChunkStore {
  if ('postgresUrl' in database) {
    const pool = openPostgres(database.postgresUrl, { connections: 1, pipeline: false }).$client
    return (kind) => postgresChunkStore({ pool, crypto, kind })
  }
  const db = openDatabase(database.sqlitePath)
  db.$client.pragma('cache_size = -8192')
  db.$client.pragma('wal_autocheckpoint = 10000')
  return (kind, bulk) => createChunkStore({ db, crypto, kind, bulk })
}

function waitForTurn(sequence: number) {
  for (let current = Atomics.load(turn, 0); current !== sequence; current = Atomics.load(turn, 0)) {
    // A bounded wait, so a terminated import never leaves this thread blocked for good.
    Atomics.wait(turn, 0, current, 100)
  }
}

function passTurn(sequence: number) {
  Atomics.store(turn, 0, sequence + 1)
  Atomics.notify(turn, 0)
}

async function handle(message: WorkerMessage) {
  if (message.type === 'file') {
    store = storeFor(message.kind, message.bulk)
    return
  }
  const { sequence, job } = message
  try {
    const prepared = processChunk(crypto, job)
    waitForTurn(sequence)
    const written = (store as ChunkStore)(prepared)
    // A PostgreSQL write is awaited before the turn passes; a SQLite one is done already.
    const outcome = written instanceof Promise ? await written : written
    passTurn(sequence)
    parentPort?.postMessage({ sequence, outcome })
  } catch (error) {
    passTurn(sequence)
    parentPort?.postMessage({ sequence, error: error instanceof Error ? error.message : 'worker failed' })
  }
}

// One message at a time: a chunk still being written to PostgreSQL holds up this worker's next one,
// which must not block this thread waiting for its turn while the write before it needs the thread.
let handled = Promise.resolve()
parentPort?.on('message', (message: WorkerMessage) => {
  handled = handled.then(() => handle(message))
})
