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
  // Node's round-robin (the primary accepts and hands each connection to the next worker)
  // and not the kernel's choice (SCHED_NONE): under load the kernel gave most connections
  // to one worker, and bench:load served 1,024 requests a second at 500 connections
  // against 1,508 with round-robin, which also kept both cores busy. Round-robin has one
  // known fault at SIGTERM: a connection the primary is handing to the last worker just
  // as it stops listening is queued again where nothing takes it, and waits unanswered
  // until the primary exits at the end of the drain (Node's round_robin_handle.js
  // `distribute`). A load balancer that stops sending to a node before signalling it, as
  // README's deployment notes ask, never meets it.
  cluster.schedulingPolicy = cluster.SCHED_RR
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
