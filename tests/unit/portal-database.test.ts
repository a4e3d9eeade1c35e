import { migratedPortalDatabase } from '../support/migrated-database'
import { describePortalDatabaseContract } from '../support/portal-database-contract'

describePortalDatabaseContract('SQLite', async () => {
  return migratedPortalDatabase('portal-database-')
})
