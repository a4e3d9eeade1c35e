import type { Config } from '~/config.server'
import { spoolDirectoryFor, sweepSpool } from '~/returns/multipart-form.server'
import { limitsFrom, longestLimitWindowMs } from '~/security/rate-limit.server'
import { closeDatabase, openDatabase } from '~db/client'
import { deleteOldWindows } from '~db/rate-limits'
import { deleteExpiredDrafts } from '~db/return-drafts'
import { deleteExpiredSessions } from '~db/sessions'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { deleteExpiredChallenges } from '~db/verification'

const EVERY_MS = 10 * 60 * 1000
// No upload takes an hour; a spool file that old was left by a process that died.
const SPOOL_KEPT_MS = 60 * 60 * 1000

/**
 * Drops expired sessions, spent rate-limit counters, dead one-time codes,
 * return drafts left a day and spool files left by a crash, now and then, so
 * nothing only grows.
 */
export function startHousekeeping(config: Config) {
  const db = openDatabase(config.DATABASE_URL)
  const portal = sqlitePortalDatabase(db)
  // A counter whose window began longer ago than the longest window can no longer refuse anything.
  const countersKeptMs = longestLimitWindowMs(limitsFrom(config))
  const sweep = async () => {
    const now = Date.now()
    await deleteExpiredSessions(portal, now)
    await deleteOldWindows(portal, now - countersKeptMs)
    await deleteExpiredChallenges(portal, now)
    await deleteExpiredDrafts(portal, now)
    void sweepSpool(spoolDirectoryFor(config.DATABASE_URL), { olderThanMs: SPOOL_KEPT_MS, now })
  }
  // One sweep at a time, each after the last; `stop` waits for the one under way before closing.
  let sweeping = sweep()
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep)
  }, EVERY_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await sweeping
      closeDatabase(db)
    },
  }
}
