import { cryptoFromConfig, cryptoFromConfigForDatabase } from '~/crypto.server'
import { keyStatus, unopenableKeysMessage } from '~/keys/key-status.server'
import { serve } from '~/server/main'
import { demoStaffPresent } from '~/staff/demo-staff.server'
import { holdsOnlyDemoData } from '~db/data-origin'
import {
  bootstrapCommand,
  checkIndexKeysForCommand,
  endCommand,
  migrateSchemaForCommand,
  openForCommand,
  rebindForCommand,
} from './bootstrap'
import { ensureProductionBuild } from './build'
import { ensureDemoStaffIfDemo, loadDemoDataIfEmpty } from './demo-data'

const config = bootstrapCommand()

const opened = openForCommand(config)
await migrateSchemaForCommand(opened, config)
// PostgreSQL takes the demo whole, into a database that holds nothing: before anything is recorded in it.
if (opened.backend === 'postgres') await loadDemoData()
// What the index keys must be for this database, which the checks below look people up with.
await checkIndexKeysForCommand(opened, config)
// Before the build, which takes minutes: the demo staff's passwords are in the README for anyone to read.
if (
  config.isProduction &&
  (await demoStaffPresent({ db: opened.db, crypto: await cryptoFromConfigForDatabase(config, opened.db) }))
) {
  await endCommand(
    opened,
    'This database holds the demo staff accounts, whose passwords are public (README.md, "Demo staff"): production does not start on it. Give production a database of its own.',
  )
}
// A value no configured key opens would fail the person it belongs to at their first page: say so now.
const unopenable = unopenableKeysMessage(await keyStatus(opened.db, cryptoFromConfig(config).keyring))
if (unopenable) await endCommand(opened, unopenable)
await rebindForCommand(opened, config)
ensureProductionBuild()
if (opened.backend === 'sqlite') await loadDemoData()
const demoStaff = await ensureDemoStaffIfDemo({ config, opened })
if (demoStaff) console.log(demoStaff)
if (!config.isProduction && !(await holdsOnlyDemoData(opened.db))) {
  console.log(
    'This database holds an imported export, so /dev/outbox is off. To serve real people, run with NODE_ENV=production (README, "Configuration").',
  )
}
await opened.close()

await serve(config)

async function loadDemoData() {
  const demo = await loadDemoDataIfEmpty({ config, opened })
  if (demo) console.log(demo)
}
