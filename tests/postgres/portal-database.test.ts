import { portalDatabase } from '~db/database'
import { openPostgres } from '~db/postgres/client'
import { migratePostgres } from '~db/postgres/migrate'
import { postgresStore } from '~db/postgres/postgres-store'
import { describePortalDatabaseContract } from '../support/portal-database-contract'
import { scratchPostgresDatabase } from '../support/postgres-database'

describePortalDatabaseContract('PostgreSQL', async () => {
  const database = await scratchPostgresDatabase('portal_database')
  const postgres = openPostgres(database.url)
  await migratePostgres(postgres)
  const store = postgresStore(postgres.$client)
  return {
    db: portalDatabase(store),
    remove: async () => {
      await store.close()
      await database.drop()
    },
  }
})
