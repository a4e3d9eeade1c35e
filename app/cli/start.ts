import { serve } from '~/server/main'
import { closeDatabase, openDatabase } from '~db/client'
import { holdsOnlyDemoData } from '~db/data-origin'
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
if (!config.isProduction && !holdsOnlyDemoData(db)) {
  console.log(
    'This database holds an imported export, so /dev/outbox is off. To serve real people, run with NODE_ENV=production (README, "Configuration").',
  )
}
closeDatabase(db)

await serve(config)
