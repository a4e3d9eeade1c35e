import { openDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto } from '~db/portal-crypto'
import { openPostgres } from '~db/postgres/client'
import { importFilesIntoPostgres } from '~db/postgres/import-target'
import { migratePostgres } from '~db/postgres/migrate'

/**
 * One timed import, in a process of its own so that its peak RSS is the
 * importer's alone. Prints one JSON line. The database is a SQLite file or a
 * postgres:// URL.
 */
const [databasePath, ...paths] = process.argv.slice(2)
const crypto = createPortalCrypto({
  dataKey: process.env.PORTAL_DATA_KEY as string,
  indexKey: process.env.PORTAL_INDEX_KEY as string,
})
const { seconds, files } = databasePath?.startsWith('postgres')
  ? await intoPostgres(databasePath)
  : await intoSqlite(databasePath as string)
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, files }))

async function intoSqlite(path: string) {
  const db = openDatabase(path)
  migrateDatabase(db)
  const started = performance.now()
  const { files } = await importFiles({ db, crypto, paths })
  const seconds = (performance.now() - started) / 1000
  db.$client.close()
  return { seconds, files }
}

async function intoPostgres(url: string) {
  const migrator = openPostgres(url, { connections: 1 })
  await migratePostgres(migrator)
  await migrator.$client.end()
  const started = performance.now()
  const { files } = await importFilesIntoPostgres({ url, crypto, paths })
  return { seconds: (performance.now() - started) / 1000, files }
}
