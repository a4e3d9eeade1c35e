import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Copying the write-ahead log back into the database file (SQLite's
 * checkpoint) off the request path.
 *
 * By default SQLite checkpoints inside whichever commit takes the log past
 * 1,000 pages. In a serving process that commit is a request's, and the log
 * may hold far more than its own pages: `npm run keys:rotate` and the importer
 * write batches of thousands of pages, and the page view that next restarts a
 * session's idle clock waited for all of them to be copied (at a million
 * members, /exposure's p99 went from 95 ms to over 200 ms while the index
 * keys were rotated). So a serving process's connections never checkpoint
 * (`checkpointOnCommit: false` in `openDatabase`), and one thread per portal,
 * with a connection of its own, checkpoints every `everyMs` beside the
 * requests. A PASSIVE checkpoint waits for no reader or writer, and a writer
 * restarts the log from its start once all of it has been copied.
 */
export function startWalCheckpoints(path: string, { everyMs = 1_000 }: { everyMs?: number } = {}) {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { path, everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  })
  // Nothing personal is in SQLite's messages; the operator should hear that the log is not being copied.
  worker.on('message', (problem: string) => console.error(`[wal checkpoint] ${problem}`))
  worker.on('error', (error) => console.error(`[wal checkpoint] stopped: ${error.message}`))
  worker.unref()
  return {
    async stop() {
      await worker.terminate()
    },
  }
}

// Plain CommonJS, so the thread needs neither the TypeScript loader nor a bundle.
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 5000')
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    parentPort.postMessage(error instanceof Error ? error.message : 'the checkpoint failed')
  }
}, workerData.everyMs)
`
