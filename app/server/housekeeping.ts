import type { Config } from '~/config.server'
import { spoolDirectoryFor, sweepSpool } from '~/returns/multipart-form.server'
import { limitsFrom, longestLimitWindowMs } from '~/security/rate-limit.server'
import { sharedPortalDatabase } from '~db/backend'
import { deleteOldWindows } from '~db/rate-limits'
import { deleteExpiredDrafts } from '~db/return-drafts'
import { deleteExpiredSessions } from '~db/sessions'
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
  // The process's own database, whose queue its requests share: a second SQLite connection in
  // this process would wait for a transaction that cannot end until the wait does.
  const portal = sharedPortalDatabase(config).db
  // A counter whose window began longer ago than the longest window can no longer refuse anything.
  const countersKeptMs = longestLimitWindowMs(limitsFrom(config))
  const sweep = async () => {
    const now = Date.now()
    try {
      await deleteExpiredSessions(portal, now)
      await deleteOldWindows(portal, now - countersKeptMs)
      await deleteExpiredChallenges(portal, now)
      await deleteExpiredDrafts(portal, now)
    } catch (error) {
      // Tried again at the next sweep (another process may hold the write lock); the portal goes on.
      console.error(
        `Housekeeping sweep not finished: ${error instanceof Error ? error.message : 'unknown error'}`,
      )
    }
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
    },
  }
}
