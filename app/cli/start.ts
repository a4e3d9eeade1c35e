import { cryptoFromConfig } from '~/crypto.server'
import { keyStatus, unopenableKeysMessage } from '~/keys/key-status.server'
import { serve } from '~/server/main'
import { demoStaffPresent } from '~/staff/demo-staff.server'
import { closeDatabase, openDatabase } from '~db/client'
import { holdsOnlyDemoData } from '~db/data-origin'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { bootstrapCommand, checkIndexKeysForCommand, rebindForCommand } from './bootstrap'
import { ensureProductionBuild } from './build'
import { ensureDemoStaffIfDemo, loadDemoDataIfEmpty } from './demo-data'

const config = bootstrapCommand()

const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)
// First: what the index keys must be for this database, which the checks below look people up with.
checkIndexKeysForCommand(db, config)
// Before the build, which takes minutes: the demo staff's passwords are in the README for anyone to read.
if (
  config.isProduction &&
  (await demoStaffPresent({ db: sqlitePortalDatabase(db), crypto: cryptoFromConfig(config, db) }))
) {
  console.error(
    'This database holds the demo staff accounts, whose passwords are public (README.md, "Demo staff"): production does not start on it. Give production a database of its own.',
  )
  closeDatabase(db)
  process.exit(1)
}
// A value no configured key opens would fail the person it belongs to at their first page: say so now.
const unopenable = unopenableKeysMessage(keyStatus(db, cryptoFromConfig(config).keyring))
if (unopenable) {
  console.error(unopenable)
  closeDatabase(db)
  process.exit(1)
}
rebindForCommand(db, config)
ensureProductionBuild()
const demo = await loadDemoDataIfEmpty({ config, db })
if (demo) console.log(demo)
const demoStaff = await ensureDemoStaffIfDemo({ config, db })
if (demoStaff) console.log(demoStaff)
if (!config.isProduction && !(await holdsOnlyDemoData(sqlitePortalDatabase(db)))) {
  console.log(
    'This database holds an imported export, so /dev/outbox is off. To serve real people, run with NODE_ENV=production (README, "Configuration").',
  )
}
closeDatabase(db)

await serve(config)
