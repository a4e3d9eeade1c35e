import { startThrowawayPostgres } from '../support/throwaway-postgres'

/**
 * npx tsx tests/bench/durable-postgres.ts: a PostgreSQL cluster for the
 * benchmarks' `--database`, on a loopback port, with the durability a
 * deployment has (fsync, full-page writes and synchronous commit on: the test
 * suite's clusters turn them off). Prints its superuser URL (no password:
 * loopback trust) and runs until Ctrl-C or SIGTERM, then removes itself.
 */

const cluster = await startThrowawayPostgres({ durable: true })
console.log(cluster.url)
const stop = async () => {
  await cluster.stop()
  process.exit(0)
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
// Kept alive until a signal: the cluster is a server of its own, this process only its owner.
setInterval(() => {}, 1 << 30)
