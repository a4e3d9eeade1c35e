import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { PostgresDatabase } from './client'

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

// Any fixed number: PostgreSQL's advisory locks are named by integers.
const MIGRATION_LOCK = 7_231_026

/**
 * Brings a PostgreSQL database's schema up to date from its own migrations
 * (drizzle-kit's, from postgres/schema.ts). Several nodes may start at once
 * against one database: an advisory lock, held on the one connection that
 * migrates, makes the others wait and then find nothing left to do.
 */
export async function migratePostgres(db: PostgresDatabase) {
  const client = await db.$client.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    await migrate(drizzle(client), { migrationsFolder })
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined)
    client.release()
  }
}
