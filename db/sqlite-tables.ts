import type Database from 'better-sqlite3'

/**
 * The portal's own tables in a SQLite file, by name: not SQLite's internal
 * ones, nor drizzle's ledger of migrations, which each backend keeps for
 * itself. What a copy to PostgreSQL moves and what the two schemas compare.
 */
export function portalTableNames(db: Database.Database) {
  return db
    .prepare(
      `select name from sqlite_master where type = 'table'
        and name not like 'sqlite\\_%' escape '\\' and name not like '\\_\\_drizzle%' escape '\\' order by name`,
    )
    .pluck()
    .all() as string[]
}
