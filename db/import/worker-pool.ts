import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ChunkJob, ChunkResult } from './process-chunk'

type Pending = { resolve: (result: ChunkResult) => void; reject: (error: Error) => void }

/**
 * Threads that prepare chunks (parse, validate, seal, index). One per core:
 * the main thread's database writes fit between them.
 */
export class ChunkWorkerPool {
  private readonly workers: Worker[]
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private turn = 0

  constructor(keys: { dataKey: string; indexKey: string }, size = Math.max(1, availableParallelism())) {
    const url = new URL('./chunk-worker.mjs', import.meta.url)
    this.workers = Array.from({ length: size }, () => {
      // Bounded heaps keep the import's memory flat whatever the file size.
      const worker = new Worker(url, {
        workerData: keys,
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
      })
      worker.on('message', (message: { id: number; result?: ChunkResult; error?: string }) => {
        const pending = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.result) pending?.resolve(message.result)
        else pending?.reject(new Error(message.error))
      })
      worker.on('error', (error) => {
        for (const pending of this.pending.values()) pending.reject(error)
        this.pending.clear()
      })
      return worker
    })
  }

  get size() {
    return this.workers.length
  }

  run(job: ChunkJob): Promise<ChunkResult> {
    const id = this.nextId++
    const worker = this.workers[this.turn++ % this.workers.length] as Worker
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      const bytes = new Uint8Array(job.bytes)
      worker.postMessage({ id, job: { ...job, bytes } }, [bytes.buffer])
    })
  }

  async close() {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }
}
