import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import * as schema from './schema'

export type PostgresDatabase = NodePgDatabase<typeof schema> & { $client: pg.Pool }

// int8 (counts, ids, millisecond times) as numbers, as SQLite gives them: every value the portal
// stores fits in 2^53. Set on the pool's own parsers, not node-postgres's global ones.
const INT8 = 20
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/**
 * A pool of connections to a PostgreSQL database for one process. Each web
 * node and command opens its own; PostgreSQL, not the process, is where
 * several of them meet.
 */
export function openPostgres(
  url: string,
  { connections = 10 }: { connections?: number } = {},
): PostgresDatabase {
  const pool = new pg.Pool({ connectionString: url, max: connections, types: typeParsers })
  return drizzle(pool, { schema })
}

export async function closePostgres(db: PostgresDatabase) {
  await db.$client.end()
}
