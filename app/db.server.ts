import { getConfig } from '~/config.server'
import { sharedPortalDatabase } from '~db/backend'
import type { PortalDatabase } from '~db/database'

/** The portal's database for request handlers; migrations ran before the server started. */
export function db(): PortalDatabase {
  return sharedPortalDatabase(getConfig()).db
}
