import { mkdtempSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { openDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { createPortalCrypto } from '~db/portal-crypto'
import { importFilesIntoPostgres } from '~db/postgres/import-target'
import { writeCsv } from './export-files'
import type { Secrets } from './notified-population'
import type { PortalServer } from './portal-server'

const POSTGRES_URL = /^postgres(ql)?:\/\//

/**
 * Imports hand-made export files into the server's database as generated demo
 * data, the way `npm start` loads its demo people, so /dev/outbox stays on.
 * (The import command marks what it imports as a real export.) The database
 * is a SQLite file, or a running portal's database on either backend.
 */
export async function importAsDemoData(
  database: string | Pick<PortalServer, 'dataDirectory' | 'databaseUrl'>,
  secrets: Secrets,
  files: Record<string, string[][]>,
) {
  const [folder, databaseUrl] =
    typeof database === 'string'
      ? [dirname(database), database]
      : [database.dataDirectory, database.databaseUrl]
  const directory = mkdtempSync(join(folder, 'demo-'))
  for (const [name, rows] of Object.entries(files)) writeCsv(join(directory, name), rows)
  const options = {
    crypto: createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY }),
    paths: [directory],
    origin: 'demo' as const,
  }
  if (POSTGRES_URL.test(databaseUrl)) {
    await importFilesIntoPostgres({ url: databaseUrl, ...options })
    return directory
  }
  const db = openDatabase(databaseUrl)
  try {
    await importFiles({ db, ...options })
  } finally {
    db.$client.close()
  }
  return directory
}
