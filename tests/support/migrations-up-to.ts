import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url))

type JournalEntry = { tag: string }

/**
 * The migrations folder as it stood at `last` (its SQL files and a journal
 * that ends there) copied into `into`, for a test that makes a database as an
 * older portal left it and then migrates it the rest of the way.
 */
export function migrationsUpTo(last: string, into: string) {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[]
  }
  const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === last) + 1)
  if (entries.at(-1)?.tag !== last) throw new Error(`no migration ${last}`)
  mkdirSync(join(into, 'meta'), { recursive: true })
  writeFileSync(join(into, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }))
  for (const { tag } of entries) copyFileSync(join(MIGRATIONS, `${tag}.sql`), join(into, `${tag}.sql`))
}
