import cluster, { type Worker } from 'node:cluster'
import { fileURLToPath } from 'node:url'
import type { Config } from '~/config.server'

const workerScript = fileURLToPath(new URL('./worker.ts', import.meta.url))
// A worker that dies this soon after the last restart is not restarted again, so a
// portal that cannot start (a broken build) stops instead of forking forever.
const RESTART_BACKOFF_MS = 1_000

/**
 * Forks `count` web workers sharing `config.PORT` and resolves, with the port,
 * once every one listens. A worker that dies unexpectedly is replaced; sessions
 * and limits live in the database, so any worker can answer any request.
 */
export async function superviseWorkers(config: Config, count: number) {
  // The kernel hands each connection to a worker that accepts it, not this process. With
  // Node's round-robin, a connection this process had accepted and was handing to a worker
  // as that worker stopped at SIGTERM is queued again after the last worker has gone, and
  // waits unanswered until the drain deadline (the race Node leaves open in its
  // round_robin_handle.js `distribute`). Here such a connection is accepted by the worker
  // still listening, or refused at once when none is.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ exec: workerScript })
  let stopping = false
  let lastRestart = 0
  const fork = () => cluster.fork({ PORT: String(config.PORT) })

  const listening = new Promise<number>((resolve, reject) => {
    let ready = 0
    cluster.on('listening', (_worker, address) => {
      ready += 1
      if (ready === count) resolve(address.port)
    })
    cluster.on('exit', (worker: Worker, code) => {
      if (stopping) return
      if (ready < count) {
        reject(new Error(`a web worker exited with ${code} before listening`))
        return
      }
      const now = Date.now()
      if (now - lastRestart < RESTART_BACKOFF_MS) {
        console.error(`Web worker ${worker.id} exited with ${code} again; stopping.`)
        process.exit(1)
      }
      lastRestart = now
      console.error(`Web worker ${worker.id} exited with ${code}; starting another.`)
      fork()
    })
  })
  for (let i = 0; i < count; i++) fork()
  const port = await listening.catch((error: Error) => {
    console.error(error.message)
    process.exit(1)
  })

  return {
    port,
    /** Asks every worker to finish its open requests and exit. */
    async stop() {
      stopping = true
      const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined)
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve())
              worker.process.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}
