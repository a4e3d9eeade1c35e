import { getConfig } from '~/config.server'
import { getDatabase } from '~db/client'

/** The portal's database for request handlers; migrations ran before the server started. */
export function db() {
  return getDatabase(getConfig().DATABASE_URL)
}
