import type { Config } from '~/config.server'
import { limitsFrom, longestLimitWindowMs } from '~/security/rate-limit.server'
import { closeDatabase, openDatabase } from '~db/client'
import { deleteOldWindows } from '~db/rate-limits'
import { deleteExpiredSessions } from '~db/sessions'
import { deleteExpiredChallenges } from '~db/verification'

const EVERY_MS = 10 * 60 * 1000

/**
 * Drops expired sessions, spent rate-limit counters and dead one-time codes
 * now and then, so no table only grows.
 */
export function startHousekeeping(config: Config) {
  const db = openDatabase(config.DATABASE_URL)
  // A counter whose window began longer ago than the longest window can no longer refuse anything.
  const countersKeptMs = longestLimitWindowMs(limitsFrom(config))
  const sweep = () => {
    const now = Date.now()
    deleteExpiredSessions(db, now)
    deleteOldWindows(db, now - countersKeptMs)
    deleteExpiredChallenges(db, now)
  }
  sweep()
  const timer = setInterval(sweep, EVERY_MS)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      closeDatabase(db)
    },
  }
}
