import { type Config, ConfigError, getConfig } from '~/config.server'
import { cryptoFromConfig, cryptoFromConfigForDatabase } from '~/crypto.server'
import { migratePortalDatabase, type OpenedDatabase, openPortalDatabase } from '~db/backend'
import { indexKeyProblem, indexKeyState } from '~db/index-key-rotation'
import { rebindSealedValues } from '~db/seal-rebinding'
import { createCountBar } from './count-bar'
import { ensureLocalEnvFile, loadEnvFile } from './env-file'

/**
 * What every command does first: secrets in place, environment loaded and
 * checked. A bad environment ends the command with one line naming the variable.
 */
export function bootstrapCommand(): Config {
  const created = ensureLocalEnvFile()
  if (created) console.log(created)
  loadEnvFile()
  try {
    return getConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`)
      process.exit(1)
    }
    throw error
  }
}

/** The database DATABASE_URL names, of the command's own: `await opened.close()` when done. */
export function openForCommand(config: Config): OpenedDatabase {
  return openPortalDatabase(config)
}

/**
 * The database as a command may print it: the file, or the server's host,
 * port and database name, never the URL's user or password.
 */
export function databaseNamed(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_BACKEND'>) {
  if (config.DATABASE_BACKEND === 'sqlite') return config.DATABASE_URL
  const url = new URL(config.DATABASE_URL)
  return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`
}

/**
 * The schema and the sealed values brought up to date: values sealed before
 * they were bound to their rows' IDs are sealed again first (once, resumable).
 */
export async function migrateForCommand(opened: OpenedDatabase, config: Config) {
  await migrateSchemaForCommand(opened, config)
  await checkIndexKeysForCommand(opened, config)
  await rebindForCommand(opened, config)
}

/**
 * The schema brought up to date; a server that does not answer (or refuses
 * the user, or has no such database) ends the command with one line.
 */
export async function migrateSchemaForCommand(opened: OpenedDatabase, config: Config) {
  try {
    await migratePortalDatabase(opened, config)
  } catch (error) {
    if (!isUnreachable(error)) throw error
    await endCommand(opened, `${databaseNamed(config)} did not answer: ${(error as Error).message}.`)
  }
}

/**
 * Ends the command, saying why, when the stored blind indexes are under an
 * index key this configuration lacks: every lookup would find nobody.
 */
export async function checkIndexKeysForCommand(opened: OpenedDatabase, config: Config) {
  const crypto = await cryptoFromConfigForDatabase(config, opened.db)
  const problem = indexKeyProblem(await indexKeyState(opened.db, crypto), crypto)
  if (problem) await endCommand(opened, problem)
}

/** Sealed values bound to their rows' IDs, with a bar; said on stderr, so a command's JSON stays clean. */
export async function rebindForCommand(opened: OpenedDatabase, config: Config) {
  const bar = createCountBar('Binding sealed values to their rows')
  const rebound = await rebindSealedValues(opened.db, cryptoFromConfig(config).keyring, bar.update)
  bar.stop()
  if (rebound > 0) console.error(`${rebound} sealed values are now bound to their rows' IDs.`)
}

/** Ends the command with `line` on stderr and exit code 1, the database closed first. */
export async function endCommand(opened: OpenedDatabase, line: string): Promise<never> {
  console.error(line)
  await opened.close()
  process.exit(1)
}

// No connection, no such database, or the user refused: PostgreSQL's words name no value.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '28P01',
  '28000',
  '3D000',
])

function isUnreachable(error: unknown) {
  return UNREACHABLE.has((error as { code?: string } | undefined)?.code ?? '')
}
