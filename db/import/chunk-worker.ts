import { parentPort, workerData } from 'node:worker_threads'
import { createPortalCrypto } from '../portal-crypto'
import { type ChunkJob, processChunk } from './process-chunk'

/** A worker thread of the import: prepares chunks while the main thread writes. */
const crypto = createPortalCrypto(workerData as { dataKey: string; indexKey: string })

parentPort?.on('message', ({ id, job }: { id: number; job: ChunkJob }) => {
  try {
    parentPort?.postMessage({ id, result: processChunk(crypto, job) })
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : 'worker failed' })
  }
})
