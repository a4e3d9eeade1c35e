import { readFileSync } from 'node:fs'
import pg from 'pg'
import { openPortalDatabase } from '~db/backend'
import type { BenchBackend } from './population-run'
import { sessionCookiesIn, verifiedSessionCookies } from './portal-load'
import { processTreeCpuMs } from './process-cpu'

/**
 * What a benchmark needs of the backend it measures, whichever it is:
 * sessions made in its database, and the CPU time serving takes, the
 * database server's own included when it runs on this machine.
 */

/** Verified sessions for these humans, made in the backend's database. */
export async function backendSessionCookies(
  backend: BenchBackend,
  sessionSecret: string,
  humanIds: readonly number[],
) {
  if (backend.name === 'SQLite') {
    return verifiedSessionCookies({ databasePath: backend.databaseUrl, sessionSecret, humanIds })
  }
  const opened = openPortalDatabase({
    DATABASE_URL: backend.databaseUrl,
    DATABASE_BACKEND: 'postgres',
    DATABASE_POOL_SIZE: 2,
  })
  try {
    return await sessionCookiesIn(opened.db, sessionSecret, humanIds)
  } finally {
    await opened.close()
  }
}

/**
 * The CPU clock of one backend's serving: the portal's processes and, for a
 * PostgreSQL server on this machine, its own processes (the WAL writer, the
 * checkpointer, …) and the backends serving the benchmark's database; those
 * of other databases on the same server are someone else's work. A server
 * elsewhere is not counted, and the report says so.
 */
export async function servingCpuClock(backend: BenchBackend, portalPid: number) {
  const postmaster = backend.name === 'PostgreSQL' ? await localPostmaster(backend.databaseUrl) : undefined
  const counted = backend.name === 'SQLite' || postmaster !== undefined
  const database = postmaster === undefined ? '' : new URL(backend.databaseUrl).pathname.slice(1)
  return {
    /** Which processes `ms` counts, for the report. */
    covers: counted ? 'portal and database' : 'portal only (the database server is elsewhere)',
    ms: () =>
      (processTreeCpuMs(portalPid) ?? Number.NaN) +
      (postmaster === undefined ? 0 : postgresCpuMs(postmaster, database)),
  }
}

/** CPU time of a local PostgreSQL server's own processes and of its backends serving `database`. */
function postgresCpuMs(postmaster: number, database: string) {
  let total = processTreeCpuMs(postmaster) ?? Number.NaN
  // The server forks every process it has straight from the postmaster: one level down is all of them.
  const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
  for (const child of children.split(' ').filter((pid) => pid !== '')) {
    try {
      const title = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ')
      const served = servedDatabase(title)
      if (served !== undefined && served !== database) total -= processTreeCpuMs(Number(child)) ?? 0
    } catch {
      // Ended while we looked.
    }
  }
  return total
}

/**
 * The database a PostgreSQL process's title names, if it serves one:
 * "postgres: USER DATABASE HOST(PORT) STATE" for a client's backend,
 * "postgres: autovacuum worker DATABASE" for a vacuum.
 */
function servedDatabase(title: string): string | undefined {
  const words = title
    .replace(/^postgres: /, '')
    .trim()
    .split(/\s+/)
  if (words[0] === 'autovacuum' && words[1] === 'worker') return words[2]
  if (words.length >= 3 && /\(\d+\)$|^\[local\]$/.test(words[2] ?? '')) return words[1]
  return undefined
}

/** The PID of the PostgreSQL server behind `url` when it runs on this machine: its backend's parent. */
async function localPostmaster(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const backendPid = Number((await client.query('select pg_backend_pid() as pid')).rows[0].pid)
    const stat = readFileSync(`/proc/${backendPid}/stat`, 'utf8')
    const parent = Number(stat.split(') ')[1]?.split(' ')[1])
    // A PID on another machine may name some process here: only a postgres under a postgres counts.
    const isPostgres = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
    return Number.isInteger(parent) && parent > 1 && isPostgres(backendPid) && isPostgres(parent)
      ? parent
      : undefined
  } catch {
    // Not on this machine (or not Linux): /proc has no such process.
    return undefined
  } finally {
    await client.end()
  }
}

type Measured = { rate: number; cpuMs: number }

/**
 * PostgreSQL's rate as a share of SQLite's, one line a route (the bar is
 * 0.7), and the same from CPU time a request: the rate two otherwise idle
 * cores would allow, which other work on the machine moves far less.
 */
export function ratioLines(routes: { name: string; sqlite: Measured; postgres: Measured }[]) {
  return routes.map(({ name, sqlite, postgres }) => {
    const byCpu = sqlite.cpuMs / postgres.cpuMs
    return (
      `ratio PostgreSQL/SQLite ${name.padEnd(28)} ${(postgres.rate / sqlite.rate).toFixed(2)} by rate` +
      `${Number.isFinite(byCpu) ? `, ${byCpu.toFixed(2)} by CPU a request` : ''} (bar >= 0.7)`
    )
  })
}
