import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { z } from 'zod'
import { servingProcess } from '~/server/serving-marker'
import { closePostgres, openPostgres } from '~db/postgres/client'
import { CopyProblem, copySqliteToPostgres } from '~db/postgres/copy-from-sqlite'
import { commandArguments, MAX_ARGUMENT_LENGTH } from './arguments'
import { createCountBar } from './count-bar'

const USAGE = 'usage: npm run db:copy -- --from FILE --to postgres://USER@HOST:PORT/DATABASE'

const { values } = commandArguments(USAGE, {
  options: { from: { type: 'string' }, to: { type: 'string' } },
  values: z.object({
    from: z.string().min(1).max(MAX_ARGUMENT_LENGTH),
    to: z
      .string()
      .max(MAX_ARGUMENT_LENGTH)
      .regex(/^postgres(ql)?:\/\//i, '--to must be a postgres:// URL'),
  }),
})

/**
 * npm run db:copy -- --from FILE --to postgres://…: moves a SQLite
 * deployment's data into an empty PostgreSQL database (migrated first), as
 * it is (see ~db/postgres/copy-from-sqlite). Run again after a stop, it goes
 * on where it stopped. FILE must not change meanwhile: a backup, or the file
 * of a stopped portal. A password belongs in PGPASSWORD or ~/.pgpass rather
 * than the URL, which other users of the machine can read in the process
 * list; nothing here prints it. Exit 0 with the counts; 1 with one line.
 */
const source = values.from.replace(/^file:/, '')
const target = new URL(values.to)
const where = `${target.hostname}${target.port ? `:${target.port}` : ''}${target.pathname}`

if (!existsSync(source)) fail(`There is no SQLite file at ${source}.`)
if (servingProcess(source) !== undefined) {
  fail(
    `The portal is serving ${source}: copy a backup of it (npm run backup -- FILE), or stop the portal first.`,
  )
}

const started = performance.now()
const sqlite = new Database(source, { readonly: true, fileMustExist: true })
const postgres = openPostgres(values.to, { connections: 2, pipeline: false })
let bar: ReturnType<typeof createCountBar> | undefined
let barTable = ''
try {
  const report = await copySqliteToPostgres({
    source: sqlite,
    target: postgres,
    onProgress: ({ table, copied, total }) => {
      if (table !== barTable) {
        bar?.stop()
        bar = createCountBar(table)
        barTable = table
      }
      bar?.update(copied, total)
    },
  })
  bar?.stop()
  const rows = report.tables.reduce((sum, { rows }) => sum + rows, 0)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(
    `${report.resumed ? 'Copy finished' : 'Copied'}: ${rows.toLocaleString('en')} rows in ${report.tables.length} tables into ${where} in ${seconds} s; every table's count matches the source.`,
  )
} catch (error) {
  bar?.stop()
  if (error instanceof CopyProblem) fail(`The copy stopped: ${error.message}.`)
  if (isConnectionFailure(error)) fail(`PostgreSQL at ${where} did not answer: ${(error as Error).message}.`)
  // PostgreSQL's messages name constraints and tables, never values (those are in `detail`, not shown).
  fail(
    `The copy stopped: ${(error as Error).message}. Run the same command again to go on from its last chunk.`,
  )
} finally {
  sqlite.close()
  await closePostgres(postgres)
}

function isConnectionFailure(error: unknown) {
  const code = (error as { code?: string }).code ?? ''
  return ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '3D000'].includes(code)
}

function fail(line: string): never {
  console.error(line)
  process.exit(1)
}
