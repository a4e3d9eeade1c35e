import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import { openDatabase } from '~db/client'
import { generateExports } from '~db/generate/generate'
import { listOutbox, markSent } from '~db/outbox'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { portalCommand, projectRoot } from '../support/portal-command'
import { testSecrets } from '../support/secrets'

/**
 * bench:verify's database, made once and cached in .cache: MEMBERS generated
 * members (and the generator's other cohorts), imported; a few thousand of
 * them notified, so some letter codes are real; and lists of e-mail addresses
 * and letter codes the load can use.
 */

export type VerifyPopulation = {
  database: string
  secrets: Record<string, string>
  emails: string[]
  letterCodes: string[]
}

const NOTIFIED = 5000

/**
 * Where the population of `members` is cached: in this checkout's `.cache/`, or
 * under BENCH_CACHE when set, so that several checkouts of the project share
 * one population instead of each building its own (many minutes at a million).
 */
export function verifyCacheDirectory(members: number) {
  return join(process.env.BENCH_CACHE || join(projectRoot, '.cache'), `bench-verify-${members}`)
}

export async function verifyPopulation(cacheDirectory: string, members: number): Promise<VerifyPopulation> {
  const manifest = join(cacheDirectory, 'population.json')
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as VerifyPopulation
  mkdirSync(cacheDirectory, { recursive: true })
  const exports = join(cacheDirectory, 'export')
  console.log(
    `Generating and importing ${members.toLocaleString('en')} members into ${cacheDirectory} (once)…`,
  )
  await generateExports({
    outDir: exports,
    members,
    buyers: Math.floor(members / 4),
    employees: Math.max(5, Math.floor(members / 2000)),
    warehouse: Math.max(5, Math.floor(members / 1000)),
    seed: 'bench-verify',
    encoding: 'utf8',
    messy: false,
    demo: true,
  })
  const secrets = testSecrets()
  const building = join(cacheDirectory, 'importing.db')
  const run = portalCommand('tests/bench/import-run.ts')
  const result = spawnSync(run.command, [...run.args, building, exports], {
    env: { ...process.env, ...run.env, ...secrets },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`)

  const rows = parse(readFileSync(join(exports, 'members.csv')), {
    bom: true,
    columns: true,
    to: 20_000,
  }) as { email: string }[]
  const emails = rows.map((row) => row.email.trim().toLowerCase()).filter((email) => email.includes('@'))

  const db = openDatabase(building)
  const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  const portal = sqlitePortalDatabase(db)
  await notifyEveryone({
    db: portal,
    crypto,
    portalAddress: 'portal.example.jp',
    outputDirectory: exports,
    limit: NOTIFIED,
  })
  const notices = await listOutbox(portal, crypto.keyring, { limit: NOTIFIED })
  const letterCodes = notices.flatMap((entry) => {
    const content = entry.content as EmailContent | null
    return content?.kind === 'notification' ? [content.input.letterCode] : []
  })
  // Delivered already, as they would be by the time people come: left pending, the server's
  // sender would drain thousands of notices while the first routes are measured.
  const sentAt = Date.now()
  for (const notice of notices) await markSent(portal, notice.id, sentAt)
  db.$client.close()

  const database = join(cacheDirectory, 'imported.db')
  copyFileSync(building, database)
  rmSync(building, { force: true })
  rmSync(`${building}-wal`, { force: true })
  rmSync(`${building}-shm`, { force: true })
  rmSync(exports, { recursive: true, force: true })
  const population: VerifyPopulation = { database, secrets, emails, letterCodes }
  writeFileSync(manifest, JSON.stringify(population))
  return population
}
