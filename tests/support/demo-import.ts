import { mkdtempSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { openDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { createPortalCrypto } from '~db/portal-crypto'
import { writeCsv } from './export-files'
import type { Secrets } from './notified-population'

/**
 * Imports hand-made export files into the server's database as generated demo
 * data, the way `npm start` loads its demo people, so /dev/outbox stays on.
 * (The import command marks what it imports as a real export.)
 */
export async function importAsDemoData(
  databasePath: string,
  secrets: Secrets,
  files: Record<string, string[][]>,
) {
  const directory = mkdtempSync(join(dirname(databasePath), 'demo-'))
  for (const [name, rows] of Object.entries(files)) writeCsv(join(directory, name), rows)
  const db = openDatabase(databasePath)
  try {
    await importFiles({
      db,
      crypto: createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY }),
      paths: [directory],
      origin: 'demo',
    })
  } finally {
    db.$client.close()
  }
  return directory
}
