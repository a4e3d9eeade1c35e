import { type Config, ConfigError, getConfig } from '~/config.server'
import { cryptoFromConfig } from '~/crypto.server'
import type { PortalDatabase } from '~db/client'
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
export function migrateForCommand(db: PortalDatabase, config: Config) {
  migrateDatabase(db)
  rebindForCommand(db, config)
}

/** Sealed values bound to their rows' IDs, with a bar; said on stderr, so a command's JSON stays clean. */
export function rebindForCommand(db: PortalDatabase, config: Config) {
  const bar = createCountBar('Binding sealed values to their rows')
  const rebound = rebindSealedValues(db, cryptoFromConfig(config).keyring, bar.update)
  bar.stop()
  if (rebound > 0) console.error(`${rebound} sealed values are now bound to their rows' IDs.`)
}
