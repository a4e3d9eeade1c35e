import type { PortalDatabase } from './client'

/**
 * Lookup indexes on subjects that a first, bulk import may build after the
 * rows are in: sorting a million digests once is far cheaper than inserting
 * them one by one into B-trees in random order. The definitions are those of
 * the migrations.
 */
const DEFERRABLE_INDEXES = [
  'create index if not exists subjects_email on subjects (email_index)',
  'create index if not exists subjects_phone on subjects (phone_index)',
  'create index if not exists subjects_kana_birth on subjects (kana_birth_index)',
  'create index if not exists subjects_human on subjects (human_id)',
]

const IMPORT_CACHE_KIB = 64 * 1024

/**
 * Runs `load` with the database set up for bulk writing. Into an empty subjects
 * table, the lookup indexes are dropped first and built at the end; a killed
 * import leaves them missing until `restoreDeferredIndexes` (run by every
 * migration) or the next import puts them back.
 */
export async function withBulkLoad<T>(db: PortalDatabase, load: () => Promise<T>): Promise<T> {
  const sqlite = db.$client
  const previousCache = sqlite.pragma('cache_size', { simple: true })
  sqlite.pragma(`cache_size = -${IMPORT_CACHE_KIB}`)
  const empty = sqlite.prepare('select not exists (select 1 from subjects)').pluck().get() === 1
  if (empty) {
    for (const name of ['subjects_email', 'subjects_phone', 'subjects_kana_birth', 'subjects_human']) {
      sqlite.exec(`drop index if exists ${name}`)
    }
  }
  try {
    return await load()
  } finally {
    restoreDeferredIndexes(db)
    sqlite.pragma(`cache_size = ${previousCache}`)
  }
}

export function restoreDeferredIndexes(db: PortalDatabase) {
  db.$client.transaction(() => {
    for (const statement of DEFERRABLE_INDEXES) db.$client.exec(statement)
  })()
}
