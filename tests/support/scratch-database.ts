import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'

/**
 * For a test file whose tests each need an empty database file of their own:
 * returns a maker of one (in a folder of its own, not yet migrated), and
 * closes and removes it after each test.
 */
export function scratchDatabases(prefix: string) {
  let held: { directory: string; db: SqliteDatabase } | undefined
  afterEach(() => {
    if (!held) return
    closeDatabase(held.db)
    rmSync(held.directory, { recursive: true, force: true })
    held = undefined
  })
  return () => {
    const directory = mkdtempSync(join(tmpdir(), prefix))
    held = { directory, db: openDatabase(join(directory, 'portal.db')) }
    return held
  }
}
