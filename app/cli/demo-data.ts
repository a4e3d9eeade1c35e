import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopPasswordWork } from '~/accounts/password-work.server'
import type { Config } from '~/config.server'
import { cryptoFromConfig } from '~/crypto.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import type { SqliteDatabase } from '~db/client'
import { holdsOnlyDemoData } from '~db/data-origin'
import { generateExports } from '~db/generate/generate'
import { importFiles } from '~db/import/import-files'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { countSubjects } from '~db/subjects'

const DEMO_MEMBERS = 2000

/**
 * Outside production, an empty database gets a small generated population with
 * the documented demo personas, so a newcomer has someone to look up. Returns
 * the line to print, or nothing when no demo data was loaded.
 */
export async function loadDemoDataIfEmpty({ config, db }: { config: Config; db: SqliteDatabase }) {
  if (config.isProduction || config.PORTAL_DEMO_DATA === 'off') return undefined
  if ((await countSubjects(sqlitePortalDatabase(db))) > 0) return undefined
  const directory = mkdtempSync(join(tmpdir(), 'portal-demo-'))
  try {
    await generateExports({
      outDir: directory,
      members: DEMO_MEMBERS,
      buyers: DEMO_MEMBERS / 4,
      employees: 5,
      warehouse: 5,
      seed: 'demo',
      encoding: 'utf8',
      messy: true,
      demo: true,
    })
    const { files } = await importFiles({
      db,
      crypto: cryptoFromConfig(config, db),
      paths: [directory],
      origin: 'demo',
    })
    const people = files
      .filter((file) => file.kind !== 'member_cards')
      .reduce((sum, file) => sum + file.inserted, 0)
    return `Loaded demo data (${people} people). Demo identities to try: README.md, "Demo identities".`
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/**
 * Outside production, a database of demo people also has the demo staff, with
 * the README's enrolment passwords working today (renewed while unused, so a
 * database made last week still lets a newcomer in). Never beside an imported
 * export. Returns the line to print, or nothing when nothing changed.
 */
export async function ensureDemoStaffIfDemo({ config, db }: { config: Config; db: SqliteDatabase }) {
  if (config.isProduction || config.PORTAL_DEMO_DATA === 'off') return undefined
  const portal = sqlitePortalDatabase(db)
  if ((await countSubjects(portal)) === 0 || !(await holdsOnlyDemoData(portal))) return undefined
  let touched: number
  try {
    touched = await ensureDemoStaff({ db: portal, crypto: cryptoFromConfig(config, db) })
  } finally {
    // The hashing helper is not needed again by this process until the server's own work starts one.
    stopPasswordWork()
  }
  return touched > 0
    ? 'Demo staff can sign in with their enrolment passwords for 24 hours: README.md, "Demo staff".'
    : undefined
}
