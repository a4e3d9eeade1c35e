import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { describeDataLayerContract } from '../support/data-layer-contract'
import { openMigratedDatabase } from '../support/migrated-database'

// Two connections to one file, as two processes of one machine have.
describeDataLayerContract('SQLite', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'data-layer-'))
  const path = join(directory, 'portal.db')
  const connections: SqliteDatabase[] = [openMigratedDatabase(path)]
  return {
    db: sqlitePortalDatabase(connections[0] as SqliteDatabase),
    anotherNode() {
      const connection = openDatabase(path)
      connections.push(connection)
      return sqlitePortalDatabase(connection)
    },
    async remove() {
      for (const connection of connections) closeDatabase(connection)
      rmSync(directory, { recursive: true, force: true })
    },
  }
})
