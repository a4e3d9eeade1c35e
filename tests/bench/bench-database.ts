import { z } from 'zod'
import { MAX_ARGUMENT_LENGTH, readArguments } from '~/cli/arguments'

/**
 * The database flag the serving benchmarks share: without it they measure
 * SQLite alone, as always; `--database postgres://…` names a PostgreSQL
 * server to measure beside it, on the same population.
 */

const postgresUrl = z
  .string()
  .max(MAX_ARGUMENT_LENGTH)
  .regex(/^postgres(ql)?:\/\//i, '--database must be a postgres:// URL')
  .refine((value) => URL.canParse(value), '--database is not a URL')

export function benchDatabaseArguments(usage: string): { postgresUrl: string | undefined } {
  const read = readArguments(process.argv.slice(2), {
    options: { database: { type: 'string' } },
    values: z.object({ database: postgresUrl.optional() }),
  })
  if (!read.ok) {
    console.error(`${read.error}\n${usage}`)
    process.exit(2)
  }
  return { postgresUrl: read.values.database }
}

/** Where a postgres:// URL points, for messages: host, port and database, never the user or password. */
export function postgresServerName(url: string) {
  const parsed = new URL(url)
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`
}

/** The same server and credentials as `url`, another database on it. */
export function withDatabaseName(url: string, database: string) {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** A database the benchmark could not make or fill, said in one line (its message names no password). */
export function failInOneLine(what: string, error: unknown): never {
  console.error(`${what}: ${((error as Error).message ?? String(error)).split('\n')[0]}`)
  process.exit(1)
}
