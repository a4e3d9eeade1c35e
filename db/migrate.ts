import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { restoreSubjectIndexes } from './bulk-load'
import type { SqliteDatabase } from './client'

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

/**
 * Brings the schema up to date; commands call this before touching data, and
 * then `rebindSealedValues`, which needs the keys (see `migrateForCommand`).
 */
export function migrateDatabase(db: SqliteDatabase) {
  migrate(db, { migrationsFolder })
  restoreSubjectIndexes(db)
}
