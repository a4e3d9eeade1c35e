import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '~/server/paths'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * Migrating an empty database costs about 100 ms on a busy 2-core machine and
 * copying a migrated one under 2 ms, so tests copy one migrated once per set of
 * migrations (as the Epic Stack copies its base database). It is kept in
 * `.cache/` under a name that changes with the migrations' files, so a new
 * migration makes a new one; workers that race to make it each write their own
 * and rename it into place, which is atomic.
 */
function migratedTemplate() {
  const migrations = join(projectRoot, 'db', 'migrations')
  const digest = createHash('sha256')
  for (const name of readdirSync(migrations)
    .filter((file) => file.endsWith('.sql'))
    .sort()) {
    digest.update(name).update(readFileSync(join(migrations, name)))
  }
  digest.update(readFileSync(join(migrations, 'meta', '_journal.json')))
  const cache = join(projectRoot, '.cache')
  const template = join(cache, `migrated-${digest.digest('hex').slice(0, 16)}.db`)
  if (existsSync(template)) return template
  mkdirSync(cache, { recursive: true })
  const partial = `${template}.${process.pid}.partial`
  const db = openDatabase(partial)
  migrateDatabase(db)
  // Closing checkpoints the write-ahead log into the file and removes it: the file alone is the database.
  db.$client.close()
  renameSync(partial, template)
  return template
}

/** Writes an empty, fully migrated portal database at `path` (which must not exist yet). */
export function copyMigratedDatabase(path: string) {
  copyFileSync(migratedTemplate(), path)
}

/** An empty, fully migrated portal database at `path`, open. */
export function openMigratedDatabase(path: string): SqliteDatabase {
  copyMigratedDatabase(path)
  return openDatabase(path)
}

export type DatabaseFolder = { directory: string; databasePath: string }

/**
 * A folder of its own (named from `prefix`) holding a migrated `portal.db`
 * with whatever `fill` writes to it, closed again so that a portal started
 * with it as DATABASE_URL is its only user. The caller removes the folder
 * (this removes it only when `fill` fails).
 */
export async function filledDatabase(
  prefix: string,
  fill: (db: SqliteDatabase) => unknown,
): Promise<DatabaseFolder> {
  const directory = mkdtempSync(join(tmpdir(), prefix))
  const databasePath = join(directory, 'portal.db')
  const db = openMigratedDatabase(databasePath)
  try {
    await fill(db)
  } catch (error) {
    closeDatabase(db)
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
  closeDatabase(db)
  return { directory, databasePath }
}

/**
 * An empty, migrated SQLite file in a folder of its own (named from `prefix`),
 * as the portal database a backend contract runs on; `remove` closes and deletes it.
 */
export function migratedPortalDatabase(prefix: string): { db: PortalDatabase; remove: () => Promise<void> } {
  const directory = mkdtempSync(join(tmpdir(), prefix))
  const sqlite = openMigratedDatabase(join(directory, 'portal.db'))
  return {
    db: sqlitePortalDatabase(sqlite),
    remove: async () => {
      closeDatabase(sqlite)
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
