import { migratedPostgres } from '../support/migrated-postgres'
import { describeReturnOrderContract } from '../support/return-order-contract'

describeReturnOrderContract('PostgreSQL', async () => {
  const postgres = await migratedPostgres('return_order')
  return { db: postgres.db, remove: postgres.remove }
})
