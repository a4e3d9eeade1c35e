import { getConfig } from '~/config.server'
import { sharedPortalDatabase } from '~db/backend'
import { getDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'

/** The portal's database for request handlers; migrations ran before the server started. */
export function db(): PortalDatabase {
  return sharedPortalDatabase(getConfig()).db
}

/** TRANSITIONAL: the SQLite connection itself, for code not yet on the portal database. */
export function sqliteDb(): SqliteDatabase {
  return getDatabase(getConfig().DATABASE_URL)
}
