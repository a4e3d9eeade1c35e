import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ChunkOutcome } from './chunk-store'
import type { WorkerMessage, WorkerSetup } from './chunk-worker'
import type { ExportKind } from './export-kinds'
import type { ChunkJob } from './process-chunk'
import { chunkWorkerBundle } from './worker-bundle'

type Pending = { resolve: (outcome: ChunkOutcome) => void; reject: (error: Error) => void }

/**
 * Threads that prepare and write chunks (parse, validate, seal, index, insert),
 * one per core. Chunks go round-robin and each worker takes its own in order,
 * so the lowest unwritten chunk is always at the head of some queue and the
 * workers can take turns writing without ever waiting on each other for good.
 */
export class ChunkWorkerPool {
  private readonly workers: Worker[]
  private readonly pending = new Map<number, Pending>()
  private readonly turn = new SharedArrayBuffer(4)
  private sequence = 0

  /** Starts one worker a core on the bundled worker script. */
  static async start(setup: Omit<WorkerSetup, 'turn'>, size = Math.max(1, availableParallelism())) {
    return new ChunkWorkerPool(await chunkWorkerBundle(), setup, size)
  }

  private constructor(url: URL, { keys, database }: Omit<WorkerSetup, 'turn'>, size: number) {
    const setup: WorkerSetup = { keys, database, turn: this.turn }
    this.workers = Array.from({ length: size }, () => {
      // Bounded heaps keep the import's memory flat whatever the file size.
      const worker = new Worker(url, {
        workerData: setup,
        resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
      })
      worker.on('message', (message: { sequence: number; outcome?: ChunkOutcome; error?: string }) => {
        const pending = this.pending.get(message.sequence)
        this.pending.delete(message.sequence)
        if (message.outcome) pending?.resolve(message.outcome)
        else pending?.reject(new Error(message.error))
      })
      worker.on('error', (error) => this.failAll(error))
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`an import worker stopped (exit code ${code})`))
      })
      return worker
    })
  }

  get size() {
    return this.workers.length
  }

  /** Every chunk after this belongs to a file of this kind; the file's chunks are numbered from 0. */
  beginFile(kind: ExportKind, bulk: boolean) {
    this.sequence = 0
    Atomics.store(new Int32Array(this.turn), 0, 0)
    for (const worker of this.workers)
      worker.postMessage({ type: 'file', kind, bulk } satisfies WorkerMessage)
  }

  run(job: ChunkJob): Promise<ChunkOutcome> {
    const sequence = this.sequence++
    const worker = this.workers[sequence % this.workers.length] as Worker
    return new Promise((resolve, reject) => {
      this.pending.set(sequence, { resolve, reject })
      const bytes = new Uint8Array(job.bytes)
      const message: WorkerMessage = { type: 'chunk', sequence, job: { ...job, bytes } }
      worker.postMessage(message, [bytes.buffer])
    })
  }

  private failAll(error: Error) {
    for (const pending of this.pending.values()) pending.reject(error)
    this.pending.clear()
  }

  async close() {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }
}
