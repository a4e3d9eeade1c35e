import { availableParallelism } from 'node:os'
import type { SqliteDatabase } from './client'
import {
  SUBJECT_VERSION_COLUMNS,
  type SubjectVersion,
  sameSubject,
  type WriteCounts,
} from './import/subject-versions'
import type { Keyring } from './seal'

/**
 * A first import into an empty subjects table is a bulk load: its rows go in
 * without the table's indexes, which are built afterwards. Sorting a million
 * digests once is far cheaper than inserting them one by one, in random
 * order, into five B-trees. The definitions are those of the migrations.
 */
const UNIQUE_NATURAL_ID =
  'create unique index if not exists subjects_natural_id on subjects (cohort, natural_id_index)'
const LOOKUP_INDEXES = [
  'create index if not exists subjects_email on subjects (email_index)',
  'create index if not exists subjects_phone on subjects (phone_index)',
  'create index if not exists subjects_kana_birth on subjects (kana_birth_index)',
  'create index if not exists subjects_human on subjects (human_id)',
  'create index if not exists subjects_cohort_human on subjects (cohort, human_id, exposed_categories)',
]
const INDEX_NAMES = [
  'subjects_natural_id',
  'subjects_email',
  'subjects_phone',
  'subjects_kana_birth',
  'subjects_human',
  'subjects_cohort_human',
]

const IMPORT_CACHE_KIB = 32 * 1024

export type BulkLoad = {
  /** True while rows go in without indexes (the table was empty). */
  readonly active: boolean
  /**
   * Ends the bulk load: of rows with the same natural ID the last one stays
   * (counted as an update, or unchanged when equal to the one before), then the
   * indexes are built. Returns how the counts change.
   */
  settle: () => WriteCounts
}

/** Runs `load` with the database set up for bulk writing, and restores everything after. */
export async function withBulkLoad<T>(
  { db, keyring }: { db: SqliteDatabase; keyring: Keyring },
  load: (bulk: BulkLoad) => Promise<T>,
): Promise<T> {
  const sqlite = db.$client
  const previousCache = sqlite.pragma('cache_size', { simple: true })
  const previousCheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true })
  sqlite.pragma(`cache_size = -${IMPORT_CACHE_KIB}`)
  // Fewer, larger checkpoints: the WAL may grow to about 40 MB between them.
  sqlite.pragma('wal_autocheckpoint = 10000')
  // Index builds may sort on helper threads.
  const previousThreads = sqlite.pragma('threads', { simple: true })
  sqlite.pragma(`threads = ${Math.min(4, availableParallelism())}`)
  let active = sqlite.prepare('select not exists (select 1 from subjects)').pluck().get() === 1
  if (active) for (const name of INDEX_NAMES) sqlite.exec(`drop index if exists ${name}`)
  const bulk: BulkLoad = {
    get active() {
      return active
    },
    settle: () => {
      if (!active) return { inserted: 0, updated: 0, unchanged: 0 }
      // Usually no natural ID came twice, and building the unique index is how to find out cheaply.
      const counts = createUniqueIndex(db)
        ? { inserted: 0, updated: 0, unchanged: 0 }
        : settleDuplicates(db, keyring)
      restoreSubjectIndexes(db)
      active = false
      return counts
    },
  }
  try {
    return await load(bulk)
  } finally {
    restoreSubjectIndexes(db)
    sqlite.pragma(`cache_size = ${previousCache}`)
    sqlite.pragma(`wal_autocheckpoint = ${previousCheckpoint}`)
    sqlite.pragma(`threads = ${previousThreads}`)
  }
}

function createUniqueIndex(db: SqliteDatabase) {
  try {
    db.$client.exec(UNIQUE_NATURAL_ID)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false
    throw error
  }
}

function settleDuplicates(db: SqliteDatabase, keyring: Keyring): WriteCounts {
  const sqlite = db.$client
  const rows = sqlite
    .prepare(`
      select ${SUBJECT_VERSION_COLUMNS}
      from subjects s left join member_accounts a on a.subject_id = s.id
      where (s.cohort, s.natural_id_index) in
        (select cohort, natural_id_index from subjects group by 1, 2 having count(*) > 1)
      order by s.cohort, s.natural_id_index, s.id`)
    .all() as (SubjectVersion & { id: number })[]
  const counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 }
  const remove = sqlite.prepare('delete from subjects where id = ?')
  sqlite.transaction(() => {
    rows.forEach((row, i) => {
      const next = rows[i + 1]
      if (
        !next ||
        Buffer.compare(next.naturalIdIndex, row.naturalIdIndex) !== 0 ||
        next.cohort !== row.cohort
      )
        return
      // The earlier row was counted as inserted; the later one is an update of it, or no change.
      counts.inserted--
      if (sameSubject(keyring, row, next)) counts.unchanged++
      else counts.updated++
      remove.run(row.id)
    })
  })()
  return counts
}

/**
 * Puts back any index a killed bulk load left out, keeping the last row of a
 * natural ID first. Every migration runs it.
 */
export function restoreSubjectIndexes(db: SqliteDatabase) {
  const sqlite = db.$client
  sqlite.transaction(() => {
    const unique = sqlite.prepare(
      "select 1 from sqlite_master where type = 'index' and name = 'subjects_natural_id'",
    )
    if (!unique.get()) {
      sqlite.exec(`delete from subjects where id not in
        (select max(id) from subjects group by cohort, natural_id_index)`)
      sqlite.exec(UNIQUE_NATURAL_ID)
    }
    for (const statement of LOOKUP_INDEXES) sqlite.exec(statement)
  })()
}
