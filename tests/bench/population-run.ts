import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '~db/client'
import { startProductionPortal, stopPortal } from './portal-load'
import { postgresPopulation } from './postgres-population'
import { startSinkProcess } from './sink-process'
import { verifyCacheDirectory, verifyPopulation } from './verify-population'

/**
 * What the load benchmarks over bench:verify's population share around their
 * runs: a working copy of the cached population, the production portal over
 * it, and the line that says which machine the figures are from.
 */

/** The machine the figures are from: a benchmark's first line of them. */
export function machineLine() {
  return `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`
}

/**
 * The cached population of `members` (made first when missing) copied into a
 * folder of its own named after the benchmark, for one run to change; the
 * cache stays as it was. `remove` deletes the folder.
 */
export async function populationCopy(benchmark: string, members: number) {
  const population = await verifyPopulation(verifyCacheDirectory(members), members)
  const workDirectory = mkdtempSync(join(tmpdir(), `bench-${benchmark}-`))
  const databasePath = join(workDirectory, 'portal.db')
  copyFileSync(population.database, databasePath)
  return {
    population,
    workDirectory,
    databasePath,
    remove: () => rmSync(workDirectory, { recursive: true, force: true }),
  }
}

/**
 * The production portal over `databaseUrl` (a SQLite file, or PostgreSQL with
 * `dataDirectory` for this machine's files), its mail going to an SMTP sink in
 * a process of its own; `stop` stops both.
 */
export async function startPopulationPortal(
  databaseUrl: string,
  secrets: Record<string, string>,
  dataDirectory?: string,
) {
  const sink = await startSinkProcess()
  const server = await startProductionPortal({ databaseUrl, dataDirectory, secrets, smtpUrl: sink.url })
  return {
    server,
    /** How many messages the sink has taken so far. */
    mailCount: sink.count,
    stop: async () => {
      await stopPortal(server)
      await sink.close()
    },
  }
}

/** One database a benchmark measures the portal over: DATABASE_URL and where the portal's own files go. */
export type BenchBackend = { name: 'SQLite' | 'PostgreSQL'; databaseUrl: string; dataDirectory?: string }

/**
 * What a run measures: the SQLite working copy, and with `postgresUrl` also
 * a fresh PostgreSQL database on that server, filled from the working copy
 * before anything changes it, so both start from the same population.
 * `release` drops the PostgreSQL database.
 */
export async function benchBackends(
  work: Awaited<ReturnType<typeof populationCopy>>,
  benchmark: string,
  postgresUrl: string | undefined,
) {
  const sqlite: BenchBackend = { name: 'SQLite', databaseUrl: work.databasePath }
  if (postgresUrl === undefined) return { backends: [sqlite], release: async () => {} }
  const postgres = await postgresPopulation(postgresUrl, work.databasePath, benchmark)
  return {
    backends: [
      sqlite,
      { name: 'PostgreSQL', databaseUrl: postgres.url, dataDirectory: work.workDirectory },
    ] as BenchBackend[],
    release: postgres.drop,
  }
}

/** The first `count` humans of the database, by ID: whose sessions the load uses. */
export function firstHumans(databasePath: string, count: number) {
  const db = openDatabase(databasePath)
  try {
    return db.$client
      .prepare('select distinct human_id from subjects order by human_id limit ?')
      .pluck()
      .all(count) as number[]
  } finally {
    closeDatabase(db)
  }
}
