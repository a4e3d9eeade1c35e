import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { commandArguments } from '~/cli/arguments'
import { generateExports } from '~db/generate/generate'
import { openPostgres } from '~db/postgres/client'
import { migratePostgres } from '~db/postgres/migrate'
import { portalCommand } from '../support/portal-command'
import { testSecrets } from '../support/secrets'
import { importFloor } from './import-floor'

/**
 * npm run bench:import: a million generated members (buyers, cards, employees
 * and staff in the generator's proportions) imported into a fresh database,
 * beside the sqlite3 CLI's plain `.import` of the same members file.
 * Bars: ratio >= 0.25, peak RSS <= 300 MB. With `--database postgres://…` (an
 * empty database), the same two imports into PostgreSQL too, beside SQLite's.
 */

const { values: options } = commandArguments('usage: npm run bench:import -- [--database postgres://…]', {
  options: { database: { type: 'string' } },
  values: z.object({
    database: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'not a postgres:// URL')
      .optional(),
  }),
})

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000)
const cacheDirectory = fileURLToPath(new URL(`../../.cache/bench-import-${MEMBERS}/`, import.meta.url))

async function cachedExport() {
  const marker = join(cacheDirectory, 'complete')
  if (existsSync(marker)) return cacheDirectory
  console.log(`Generating ${MEMBERS.toLocaleString('en')} members into ${cacheDirectory} (once)…`)
  mkdirSync(cacheDirectory, { recursive: true })
  await generateExports({
    outDir: cacheDirectory,
    members: MEMBERS,
    buyers: Math.floor(MEMBERS / 4),
    employees: Math.max(5, Math.floor(MEMBERS / 2000)),
    warehouse: Math.max(5, Math.floor(MEMBERS / 1000)),
    seed: 'bench',
    encoding: 'utf8',
    messy: false,
    demo: false,
  })
  writeFileSync(marker, new Date().toISOString())
  return cacheDirectory
}

function sqliteCliRate(membersFile: string, rows: number) {
  const probe = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    console.error('The sqlite3 CLI is missing: `apt-get install sqlite3`, then run the benchmark again.')
    process.exit(1)
  }
  const directory = mkdtempSync(join(tmpdir(), 'bench-sqlite3-'))
  const started = performance.now()
  const result = spawnSync('sqlite3', [
    join(directory, 'plain.db'),
    '.mode csv',
    `.import ${membersFile} members`,
  ])
  const seconds = (performance.now() - started) / 1000
  rmSync(directory, { recursive: true, force: true })
  if (result.status !== 0) throw new Error(`sqlite3 .import failed: ${result.stderr}`)
  return { seconds, rate: rows / seconds }
}

type Run = { seconds: number; maxRssMb: number; files: { records: number; rejected: number }[] }

/** Runs one import in a child process, as `npm run import` would, and returns its timing and peak RSS. */
function timedImport(databasePath: string, paths: string[]): Run {
  const run = portalCommand('tests/bench/import-run.ts')
  const result = spawnSync(run.command, [...run.args, databasePath, ...paths], {
    env: { ...process.env, ...run.env, ...secrets },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Run
}

/** The server's empty database, migrated; the bench ends with one line if it holds anyone. */
async function emptyPostgres(url: string) {
  const postgres = openPostgres(url, { connections: 1 })
  try {
    await migratePostgres(postgres)
    const { rows } = await postgres.$client.query('select count(*) as n from subjects')
    if (Number(rows[0].n) > 0) {
      console.error('--database must name an empty database: this one holds subjects already.')
      process.exit(1)
    }
  } finally {
    await postgres.$client.end()
  }
  return url
}

const postgresUrl = options.database && (await emptyPostgres(options.database))
const directory = await cachedExport()
const membersFile = join(directory, 'members.csv')
const secrets = testSecrets()
const workDirectory = mkdtempSync(join(tmpdir(), 'bench-import-'))
const databasePath = join(workDirectory, 'portal.db')

const members = timedImport(databasePath, [membersFile])
const others = ['member_cards.csv', 'auction_buyers.csv', 'employees.csv', 'warehouse_staff.csv'].map(
  (name) => join(directory, name),
)
const rest = timedImport(databasePath, others)
rmSync(workDirectory, { recursive: true, force: true })
const onPostgres = postgresUrl && {
  members: timedImport(postgresUrl, [membersFile]),
  rest: timedImport(postgresUrl, others),
}

const memberRows = members.files[0]?.records ?? 0
const plain = sqliteCliRate(membersFile, memberRows)
const portalRate = memberRows / members.seconds
const otherRows = rest.files.reduce((sum, file) => sum + file.records, 0)
const rejected = [...members.files, ...rest.files].reduce((sum, file) => sum + file.rejected, 0)
const ratio = portalRate / plain.rate
const peakRssMb = Math.max(members.maxRssMb, rest.maxRssMb)
const floor = await importFloor(membersFile)
const micro = (seconds: number) => `${(seconds * 1e6).toFixed(1)} µs`
const rows = (count: number) => count.toLocaleString('en')

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`)
console.log(
  `members:          ${rows(memberRows)} rows in ${members.seconds.toFixed(1)} s = ${rows(Math.round(portalRate))} rows/s (sealed, indexed)`,
)
console.log(
  `other files:      ${rows(otherRows)} rows in ${rest.seconds.toFixed(1)} s = ${rows(Math.round(otherRows / rest.seconds))} rows/s`,
)
console.log(
  `sqlite3 .import:  ${rows(memberRows)} rows in ${plain.seconds.toFixed(1)} s = ${rows(Math.round(plain.rate))} rows/s (plain table)`,
)
console.log(`ratio:            ${ratio.toFixed(2)} (bar >= 0.25)`)
console.log(
  `floor:            ${rows(Math.round(floor.rate))} rows/s = ratio ${(floor.rate / plain.rate).toFixed(2)} at most, if reading, parsing and validating were free`,
)
console.log(
  `                  (a row: sealing and 4 blind indexes ${micro(floor.sealing)} on one of ${floor.cores} cores, insert ${micro(floor.writing)}, index builds ${micro(floor.indexing)})`,
)
console.log(`peak RSS:         ${peakRssMb.toFixed(0)} MB (bar <= 300 MB)`)
if (onPostgres) {
  const postgresRate = memberRows / onPostgres.members.seconds
  console.log(
    `PostgreSQL:       members ${rows(memberRows)} rows in ${onPostgres.members.seconds.toFixed(1)} s = ${rows(Math.round(postgresRate))} rows/s, ` +
      `other files ${rows(Math.round(otherRows / onPostgres.rest.seconds))} rows/s, ` +
      `${(postgresRate / portalRate).toFixed(2)} of SQLite's members rate, ` +
      `peak RSS ${Math.max(onPostgres.members.maxRssMb, onPostgres.rest.maxRssMb).toFixed(0)} MB`,
  )
}
console.log(`rejected records: ${rejected}`)
