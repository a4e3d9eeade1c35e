import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../client'
import { createPortalCrypto, type PortalSecrets } from '../portal-crypto'
import { type ChunkStore, createChunkStore } from './chunk-store'
import type { ExportKind } from './export-kinds'
import { type ChunkJob, processChunk } from './process-chunk'

/**
 * A worker thread of the import: prepares chunks and writes them itself, in
 * file order, taking turns with the other workers through a shared counter.
 */
export type WorkerSetup = {
  keys: PortalSecrets
  databasePath: string
  /** Int32Array over a SharedArrayBuffer: the sequence number of the next chunk to be written. */
  turn: SharedArrayBuffer
}

export type WorkerMessage =
  | { type: 'file'; kind: ExportKind; bulk: boolean }
  | { type: 'chunk'; sequence: number; job: ChunkJob }

const setup = workerData as WorkerSetup
const crypto = createPortalCrypto(setup.keys)
const db = openDatabase(setup.databasePath)
db.$client.pragma('cache_size = -8192')
db.$client.pragma('wal_autocheckpoint = 10000')
const turn = new Int32Array(setup.turn)
let store: ChunkStore | undefined

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

parentPort?.on('message', (message: WorkerMessage) => {
  if (message.type === 'file') {
    store = createChunkStore({ db, crypto, kind: message.kind, bulk: message.bulk })
    return
  }
  const { sequence, job } = message
  try {
    const prepared = processChunk(crypto, job)
    waitForTurn(sequence)
    const outcome = (store as ChunkStore)(prepared)
    passTurn(sequence)
    parentPort?.postMessage({ sequence, outcome })
  } catch (error) {
    passTurn(sequence)
    parentPort?.postMessage({ sequence, error: error instanceof Error ? error.message : 'worker failed' })
  }
})
