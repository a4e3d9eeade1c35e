import { type Config, ConfigError, getConfig } from '~/config.server'
import { cryptoFromConfig } from '~/crypto.server'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import { indexKeyProblem, indexKeyState } from '~db/index-key-rotation'
import { migrateDatabase } from '~db/migrate'
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

/**
 * The schema and the sealed values brought up to date: values sealed before
 * they were bound to their rows' IDs are sealed again first (once, resumable).
 */
export function migrateForCommand(db: SqliteDatabase, config: Config) {
  migrateDatabase(db)
  checkIndexKeysForCommand(db, config)
  rebindForCommand(db, config)
}

/**
 * Ends the command, saying why, when the stored blind indexes are under an
 * index key this configuration lacks: every lookup would find nobody.
 */
export function checkIndexKeysForCommand(db: SqliteDatabase, config: Config) {
  const crypto = cryptoFromConfig(config, db)
  const problem = indexKeyProblem(indexKeyState(db, crypto), crypto)
  if (!problem) return
  console.error(problem)
  closeDatabase(db)
  process.exit(1)
}

/** Sealed values bound to their rows' IDs, with a bar; said on stderr, so a command's JSON stays clean. */
export function rebindForCommand(db: SqliteDatabase, config: Config) {
  const bar = createCountBar('Binding sealed values to their rows')
  const rebound = rebindSealedValues(db, cryptoFromConfig(config).keyring, bar.update)
  bar.stop()
  if (rebound > 0) console.error(`${rebound} sealed values are now bound to their rows' IDs.`)
}
