import { getConfig } from '~/config.server'
import { getDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/** The portal's database for request handlers; migrations ran before the server started. */
export function db(): PortalDatabase {
  return sqlitePortalDatabase(getDatabase(getConfig().DATABASE_URL))
}

/** TRANSITIONAL: the SQLite connection itself, for code not yet on the portal database. */
export function sqliteDb(): SqliteDatabase {
  return getDatabase(getConfig().DATABASE_URL)
}
