import type { PortalDatabase } from './database'
import { readMeta, writeMeta } from './meta'
import { countSubjects } from './subjects'

/**
 * Where the people in this database came from: generated demo data only, or
 * (at least once) an imported export of real customers. Pages that show
 * personal data in clear for development (/dev/outbox) exist only in the first
 * case. Once an export has been imported the database never counts as demo
 * data again, even if it is later emptied or demo data is added.
 */

export type ImportOrigin = 'export' | 'demo'

const EXPORT_IMPORTED = 'export-imported-at'
const DEMO_LOADED = 'demo-data-loaded-at'

/** Called before an import writes anything, so that an interrupted import counts too. */
export async function recordImport(db: PortalDatabase, origin: ImportOrigin, now = new Date()) {
  const key = origin === 'demo' ? DEMO_LOADED : EXPORT_IMPORTED
  if (origin === 'demo' || (await readMeta(db, key)) === undefined)
    await writeMeta(db, key, now.toISOString())
}

/**
 * Whether every person here is generated demo data: no export was ever
 * imported, and there is nobody, or demo data was loaded. A database filled
 * before imports were recorded has people but no demo mark: not demo data.
 */
export async function holdsOnlyDemoData(db: PortalDatabase): Promise<boolean> {
  if ((await readMeta(db, EXPORT_IMPORTED)) !== undefined) return false
  return (await readMeta(db, DEMO_LOADED)) !== undefined || (await countSubjects(db)) === 0
}
