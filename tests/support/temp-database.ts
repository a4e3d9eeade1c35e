import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SqliteDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { exportDirectory, writeCsv } from './export-files'
import { openMigratedDatabase } from './migrated-database'
import { testSecrets } from './secrets'

export type TempDatabase = { directory: string; db: SqliteDatabase; crypto: PortalCrypto; remove: () => void }

/**
 * A migrated SQLite file in a folder of its own, with fresh keys, holding the
 * given export files (name → rows) as the importer stores them.
 */
export async function importedDatabase(
  prefix: string,
  files: Record<string, string[][]>,
  /** The keys to import under, made from fresh ones (by default, those). */
  keys: (fresh: PortalCrypto) => PortalCrypto = (fresh) => fresh,
): Promise<TempDatabase> {
  const directory = mkdtempSync(join(tmpdir(), prefix))
  const db = openMigratedDatabase(join(directory, 'portal.db'))
  const secrets = testSecrets()
  const crypto = keys(
    createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY }),
  )
  const exports = exportDirectory()
  for (const [name, rows] of Object.entries(files)) writeCsv(join(exports, name), rows)
  await importFiles({ db, crypto, paths: [exports] })
  rmSync(exports, { recursive: true, force: true })
  return {
    directory,
    db,
    crypto,
    remove: () => {
      db.$client.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
