import { openDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto } from '~db/portal-crypto'

/**
 * One timed import, in a process of its own so that its peak RSS is the
 * importer's alone. Prints one JSON line.
 */
const [databasePath, ...paths] = process.argv.slice(2)
const crypto = createPortalCrypto({
  dataKey: process.env.PORTAL_DATA_KEY as string,
  indexKey: process.env.PORTAL_INDEX_KEY as string,
})
const db = openDatabase(databasePath as string)
migrateDatabase(db)
const started = performance.now()
const { files } = await importFiles({ db, crypto, paths })
const seconds = (performance.now() - started) / 1000
db.$client.close()
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, files }))
