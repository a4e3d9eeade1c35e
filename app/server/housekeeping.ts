import type { Config } from '~/config.server'
import { openDatabase } from '~db/client'
import { deleteOldWindows } from '~db/rate-limits'
import { deleteExpiredSessions } from '~db/sessions'

const EVERY_MS = 10 * 60 * 1000
// The longest limit window is an hour; older counters can no longer refuse anything.
const COUNTERS_KEPT_MS = 2 * 60 * 60 * 1000

/** Drops expired sessions and spent rate-limit counters now and then, so neither table only grows. */
export function startHousekeeping(config: Config) {
  const db = openDatabase(config.DATABASE_URL)
  const sweep = () => {
    const now = Date.now()
    deleteExpiredSessions(db, now)
    deleteOldWindows(db, now - COUNTERS_KEPT_MS)
  }
  sweep()
  const timer = setInterval(sweep, EVERY_MS)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      db.$client.close()
    },
  }
}
