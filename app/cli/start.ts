import { serve } from '~/server/main'
import { openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { bootstrapCommand } from './bootstrap'
import { ensureProductionBuild } from './build'

const config = bootstrapCommand()
ensureProductionBuild()

const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)
db.$client.close()

await serve(config)
