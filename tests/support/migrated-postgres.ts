import { type PortalDatabase, portalDatabase } from '~db/database'
import { openPostgres } from '~db/postgres/client'
import { migratePostgres } from '~db/postgres/migrate'
import { postgresStore } from '~db/postgres/postgres-store'
import type { SqlStore } from '~db/sql-store'
import { scratchPostgresDatabase } from './postgres-database'

export type MigratedPostgres = {
  url: string
  /** The portal database on a pool of its own: one node. */
  db: PortalDatabase
  /** Another pool on the same database: a second node, closed with the first. */
  anotherNode(): PortalDatabase
  remove(): Promise<void>
}

/** A scratch PostgreSQL database with the portal's schema, for one test file or test. */
export async function migratedPostgres(prefix: string): Promise<MigratedPostgres> {
  const database = await scratchPostgresDatabase(prefix)
  const migrator = openPostgres(database.url, { connections: 1 })
  try {
    await migratePostgres(migrator)
  } finally {
    await migrator.$client.end()
  }
  const stores: SqlStore[] = []
  const node = () => {
    const store = postgresStore(openPostgres(database.url).$client)
    stores.push(store)
    return portalDatabase(store)
  }
  return {
    url: database.url,
    db: node(),
    anotherNode: node,
    async remove() {
      await Promise.all(stores.map((store) => store.close()))
      await database.drop()
    },
  }
}
