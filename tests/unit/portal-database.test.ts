import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase } from '~db/client'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { openMigratedDatabase } from '../support/migrated-database'
import { describePortalDatabaseContract } from '../support/portal-database-contract'

describePortalDatabaseContract('SQLite', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'portal-database-'))
  const sqlite = openMigratedDatabase(join(directory, 'portal.db'))
  return {
    db: sqlitePortalDatabase(sqlite),
    remove: async () => {
      closeDatabase(sqlite)
      rmSync(directory, { recursive: true, force: true })
    },
  }
})
