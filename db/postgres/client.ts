import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import * as schema from './schema'

export type PostgresDatabase = NodePgDatabase<typeof schema> & { $client: pg.Pool }

// Values come back as SQLite gives them (sql-store.ts): int8 (counts, IDs, millisecond moments) and
// numeric (sums) as numbers, every one the portal stores fitting in 2^53; a boolean (a comparison
// selected) as 1 or 0. Set on the pool's own parsers, not node-postgres's global ones.
const INT8 = 20
const NUMERIC = 1700
const BOOL = 16
const textParsers: Record<number, (value: string) => unknown> = {
  [INT8]: Number,
  [NUMERIC]: Number,
  [BOOL]: (value) => (value === 't' ? 1 : 0),
}
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format !== 'binary' && textParsers[oid]) ||
    pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/**
 * A pool of connections to a PostgreSQL database for one process. Each web
 * node and command opens its own; PostgreSQL, not the process, is where
 * several of them meet. `pipeline: false` for a pool that copies rows in.
 */
export function openPostgres(
  url: string,
  {
    connections = 10,
    busyTimeoutMs,
    pipeline = true,
  }: { connections?: number; busyTimeoutMs?: number; pipeline?: boolean } = {},
): PostgresDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: connections,
    types: typeParsers,
    // Queries sent without waiting for the answers before them: what the portal's store needs
    // (postgres-store.ts). A pool that copies rows in (`COPY … FROM STDIN`) must do without.
    pipeline,
    // SQLite's busy timeout, here: a request that waits longer for a free connection or for a lock
    // (the writers' turn, a row) gives up, so the page says "try again in a moment" instead of
    // hanging; without it, both waits are unbounded.
    ...(busyTimeoutMs !== undefined && {
      connectionTimeoutMillis: busyTimeoutMs,
      options: `-c lock_timeout=${busyTimeoutMs}`,
    }),
  })
  // An idle connection the server ends (a restart, an administrator, a dropped database) is only
  // dropped from the pool, which opens another when needed; unheard, the error would end the process.
  pool.on('error', () => {})
  return drizzle(pool, { schema })
}

export async function closePostgres(db: PostgresDatabase) {
  await db.$client.end()
}
