import { serve } from '~/server/main'
import { openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { bootstrapCommand } from './bootstrap'
import { ensureProductionBuild } from './build'
import { loadDemoDataIfEmpty } from './demo-data'

const config = bootstrapCommand()
ensureProductionBuild()

const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)
const demo = await loadDemoDataIfEmpty({ config, db })
if (demo) console.log(demo)
db.$client.close()

await serve(config)
