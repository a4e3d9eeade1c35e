import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopPasswordWork } from '~/accounts/password-work.server'
import type { Config } from '~/config.server'
import { cryptoFromConfigForDatabase } from '~/crypto.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import type { OpenedDatabase } from '~db/backend'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { holdsOnlyDemoData } from '~db/data-origin'
import { generateExports } from '~db/generate/generate'
import { importFiles } from '~db/import/import-files'
import { migrateDatabase } from '~db/migrate'
import { closePostgres, openPostgres } from '~db/postgres/client'
import { CopyProblem, copySqliteToPostgres } from '~db/postgres/copy-from-sqlite'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { countSubjects } from '~db/subjects'

const DEMO_MEMBERS = 2000

/**
 * Outside production, an empty database gets a small generated population with
 * the documented demo personas, so a newcomer has someone to look up. Returns
 * the line to print, or nothing when no demo data was loaded.
 *
 * A PostgreSQL database gets it whole: loaded into a SQLite file of its own
 * and copied across as `npm run db:copy` would, which takes a database that
 * holds nothing yet. So on PostgreSQL this comes before anything is recorded
 * in it (the index keys' state, the demo staff).
 */
export async function loadDemoDataIfEmpty({ config, opened }: { config: Config; opened: OpenedDatabase }) {
  if (config.isProduction || config.PORTAL_DEMO_DATA === 'off') return undefined
  if ((await countSubjects(opened.db)) > 0) return undefined
  const directory = mkdtempSync(join(tmpdir(), 'portal-demo-'))
  try {
    const exports = join(directory, 'exports')
    await generateExports({
      outDir: exports,
      members: DEMO_MEMBERS,
      buyers: DEMO_MEMBERS / 4,
      employees: 5,
      warehouse: 5,
      seed: 'demo',
      encoding: 'utf8',
      messy: true,
      demo: true,
    })
    const people = opened.sqlite
      ? await importDemo(config, opened.sqlite, exports)
      : await importDemoThroughSqlite(config, join(directory, 'demo.db'), exports)
    return `Loaded demo data (${people} people). Demo identities to try: README.md, "Demo identities".`
  } catch (error) {
    if (!(error instanceof CopyProblem)) throw error
    // Another node starting at the same moment loaded it first (the copies take turns).
    if ((await countSubjects(opened.db)) > 0) return undefined
    return `No demo data was loaded: ${error.message}.`
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** The generated files imported into a SQLite database; returns how many people they held. */
async function importDemo(config: Config, sqlite: SqliteDatabase, exports: string) {
  const { files } = await importFiles({
    db: sqlite,
    crypto: await cryptoFromConfigForDatabase(config, sqlitePortalDatabase(sqlite)),
    paths: [exports],
    origin: 'demo',
  })
  return files.filter((file) => file.kind !== 'member_cards').reduce((sum, file) => sum + file.inserted, 0)
}

/** The demo imported into a SQLite file at `file`, then copied into the PostgreSQL database. */
async function importDemoThroughSqlite(config: Config, file: string, exports: string) {
  const sqlite = openDatabase(file)
  try {
    migrateDatabase(sqlite)
    const people = await importDemo(config, sqlite, exports)
    const target = openPostgres(config.DATABASE_URL, { connections: 2, pipeline: false })
    try {
      await copySqliteToPostgres({ source: sqlite.$client, target })
    } finally {
      await closePostgres(target)
    }
    return people
  } finally {
    closeDatabase(sqlite)
  }
}

/**
 * Outside production, a database of demo people also has the demo staff, with
 * the README's enrolment passwords working today (renewed while unused, so a
 * database made last week still lets a newcomer in). Never beside an imported
 * export. Returns the line to print, or nothing when nothing changed.
 */
export async function ensureDemoStaffIfDemo({ config, opened }: { config: Config; opened: OpenedDatabase }) {
  if (config.isProduction || config.PORTAL_DEMO_DATA === 'off') return undefined
  const { db } = opened
  if ((await countSubjects(db)) === 0 || !(await holdsOnlyDemoData(db))) return undefined
  let touched: number
  try {
    touched = await ensureDemoStaff({ db, crypto: await cryptoFromConfigForDatabase(config, db) })
  } finally {
    // The hashing helper is not needed again by this process until the server's own work starts one.
    stopPasswordWork()
  }
  return touched > 0
    ? 'Demo staff can sign in with their enrolment passwords for 24 hours: README.md, "Demo staff".'
    : undefined
}
