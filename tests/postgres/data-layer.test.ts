import { describeDataLayerContract } from '../support/data-layer-contract'
import { migratedPostgres } from '../support/migrated-postgres'

describeDataLayerContract('PostgreSQL', () => migratedPostgres('data_layer'))
