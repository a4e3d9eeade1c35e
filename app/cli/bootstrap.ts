import { type Config, ConfigError, getConfig } from '~/config.server'
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
