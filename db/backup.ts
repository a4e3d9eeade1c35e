import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'

/**
 * The SQL side of backups and restores: an online snapshot of the portal's
 * database, what a copy holds (integrity, foreign keys, schema level, rows per
 * table), and whether anything else has the database open.
 *
 * The snapshot is `VACUUM INTO`, not the online backup API (`db.backup()`).
 * The backup API copies pages in steps and starts again from the first page
 * whenever another process writes between two steps, so under a steady stream
 * of writes from the portal it may never finish. `VACUUM INTO` reads the whole
 * database in one read transaction: in WAL mode a reader blocks no writer and
 * sees one committed state throughout, so the copy is consistent and the portal
 * keeps writing while it is made. The copy comes out compacted and in rollback
 * journal mode: one self-contained file, with no -wal beside it to lose.
 */

/** An expected problem with a file (missing, not a database, damaged): one line, no personal data. */
export class DatabaseFileProblem extends Error {
  override name = 'DatabaseFileProblem'
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

/** Whether the file starts as every SQLite database does (read before SQLite is let near it). */
export function looksLikeSqlite(path: string) {
  const head = Buffer.alloc(SQLITE_HEADER.length)
  const descriptor = openSync(path, 'r')
  try {
    return readSync(descriptor, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER)
  } finally {
    closeSync(descriptor)
  }
}

/**
 * Writes a consistent copy of the database at `source` into `target`, which
 * must exist and be empty (made beforehand with the mode the copy is to keep:
 * SQLite writes into the file it is given). Returns the source's schema level.
 */
export function snapshotDatabase(source: string, target: string): MigrationLevel {
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 })
  try {
    // Only migrations change the schema, and they run before the portal serves.
    const level = migrationLevel(db)
    db.prepare('vacuum into ?').run(target)
    return level
  } finally {
    db.close()
  }
}

export type MigrationLevel = { applied: number; lastAppliedAt: number | null }

export type DatabaseReport = {
  integrity: 'ok'
  migrations: MigrationLevel
  tables: { name: string; rows: number }[]
}

/**
 * Opens a database file and checks it whole: `integrity_check` (every page,
 * index and constraint), `foreign_key_check`, the schema level, and counts the
 * rows of each table. Throws `DatabaseFileProblem` saying what is wrong; never
 * quotes a row. With `readonly` nothing is written, not even a -wal (meant for
 * a copy in rollback journal mode, as snapshots are).
 */
export function inspectDatabase(
  path: string,
  { readonly, name = path }: { readonly: boolean /** What messages call the file. */; name?: string },
): DatabaseReport {
  if (!looksLikeSqlite(path)) throw new DatabaseFileProblem(`${name} is not a SQLite database.`)
  let db: Database.Database
  try {
    db = new Database(path, { readonly, fileMustExist: true, timeout: 5_000 })
  } catch (error) {
    throw new DatabaseFileProblem(`${name} cannot be opened as a database (${codeOf(error)}).`)
  }
  try {
    const problems = db.pragma('integrity_check(20)', { simple: false }) as { integrity_check: string }[]
    if (problems.length !== 1 || problems[0]?.integrity_check !== 'ok')
      throw new DatabaseFileProblem(
        `${name} failed SQLite's integrity check (${problems.length} problem${problems.length === 1 ? '' : 's'} found, the first: ${problems[0]?.integrity_check ?? 'unknown'}).`,
      )
    const orphans = db.pragma('foreign_key_check') as unknown[]
    if (orphans.length > 0)
      throw new DatabaseFileProblem(`${name} has ${orphans.length} rows whose foreign keys point nowhere.`)
    return { integrity: 'ok', migrations: migrationLevel(db), tables: tableRows(db) }
  } catch (error) {
    if (error instanceof DatabaseFileProblem) throw error
    // SQLITE_CORRUPT, SQLITE_NOTADB and the like while reading: damage the header check could not see.
    throw new DatabaseFileProblem(`${name} is damaged: SQLite's integrity check failed (${codeOf(error)}).`)
  } finally {
    db.close()
  }
}

/** How far the schema of an open database has been migrated (drizzle's own ledger). */
function migrationLevel(db: Database.Database): MigrationLevel {
  const ledger = db
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get()
  if (!ledger) return { applied: 0, lastAppliedAt: null }
  const row = db
    .prepare('select count(*) as applied, max(created_at) as lastAppliedAt from __drizzle_migrations')
    .get() as { applied: number; lastAppliedAt: number | null }
  return {
    applied: row.applied,
    lastAppliedAt: row.lastAppliedAt === null ? null : Number(row.lastAppliedAt),
  }
}

function tableRows(db: Database.Database) {
  const names = db
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[]
  // Table names come from the file's own schema, not from input; quoted all the same.
  return names.map((name) => ({
    name,
    rows: db
      .prepare(`select count(*) from "${name.replaceAll('"', '""')}"`)
      .pluck()
      .get() as number,
  }))
}

/** The migrations this code knows: a database migrated further than this belongs to a newer portal. */
export function knownMigrationLevel(): MigrationLevel {
  const journal = JSON.parse(
    readFileSync(fileURLToPath(new URL('./migrations/meta/_journal.json', import.meta.url)), 'utf8'),
  ) as { entries: { when: number }[] }
  return { applied: journal.entries.length, lastAppliedAt: journal.entries.at(-1)?.when ?? null }
}

export function isNewerThanKnown(level: MigrationLevel, known: MigrationLevel = knownMigrationLevel()) {
  return level.applied > known.applied || (level.lastAppliedAt ?? 0) > (known.lastAppliedAt ?? 0)
}

/**
 * Proof that no other connection has the database at `path` open, held until
 * `release()`. In WAL mode every open connection keeps a shared lock on the
 * database file for as long as it is open, idle or not; leaving WAL mode needs
 * an exclusive lock, so SQLite refuses it (SQLITE_BUSY) while any other
 * process (a portal, its web workers, a command) has the file open. When it
 * succeeds the write-ahead log has been checkpointed into the file and removed
 * with the shared-memory index: the file alone is the whole old database. The
 * exclusive lock is then kept, so nothing opens the old file until release.
 */
export function holdExclusively(path: string): { release: () => void } {
  if (!looksLikeSqlite(path))
    throw new DatabaseFileProblem(`${path} is there but is not a SQLite database: move it away first.`)
  const db = new Database(path, { fileMustExist: true, timeout: 0 })
  try {
    const mode = db.pragma('journal_mode = DELETE', { simple: true })
    if (mode !== 'delete') throw new DatabaseInUse(path)
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('begin exclusive')
  } catch (error) {
    db.close()
    if (error instanceof DatabaseInUse) throw error
    if (codeOf(error) === 'SQLITE_BUSY' || codeOf(error) === 'SQLITE_LOCKED') throw new DatabaseInUse(path)
    throw new DatabaseFileProblem(`${path} cannot be locked (${codeOf(error)}).`)
  }
  return {
    release: () => {
      db.exec('rollback')
      db.close()
    },
  }
}

export class DatabaseInUse extends DatabaseFileProblem {
  override name = 'DatabaseInUse'
  constructor(path: string, why = 'another process (a portal or a command) has it open') {
    super(`${path} is in use: ${why}. Stop it first.`)
  }
}

function codeOf(error: unknown) {
  return (error as { code?: string }).code ?? (error as Error).message
}
