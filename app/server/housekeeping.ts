import type { Config } from '~/config.server'
import { spoolDirectoryFor, sweepSpool } from '~/returns/multipart-form.server'
import { limitsFrom, longestLimitWindowMs } from '~/security/rate-limit.server'
import { sharedPortalDatabase } from '~db/backend'
import type { PortalDatabase } from '~db/database'
import { runOnOneNode } from '~db/periodic-jobs'
import { deleteOldWindows } from '~db/rate-limits'
import { deleteExpiredDrafts } from '~db/return-drafts'
import { deleteExpiredSessions } from '~db/sessions'
import { deleteExpiredChallenges } from '~db/verification'

const EVERY_MS = 10 * 60 * 1000
// No upload takes an hour; a spool file that old was left by a process that died.
const SPOOL_KEPT_MS = 60 * 60 * 1000

/**
 * The database's part of a sweep: expired sessions, spent rate-limit
 * counters, dead one-time codes and return drafts left a day. On PostgreSQL
 * one node at a time sweeps; a node that finds another sweeping skips the
 * round (`ran: false`), since that sweep does the same work.
 */
export function sweepDatabase(
  db: PortalDatabase,
  { now, countersKeptMs }: { now: number; countersKeptMs: number },
) {
  return runOnOneNode(db, 'housekeeping', async (sweeper) => {
    await deleteExpiredSessions(sweeper, now)
    await deleteOldWindows(sweeper, now - countersKeptMs)
    await deleteExpiredChallenges(sweeper, now)
    await deleteExpiredDrafts(sweeper, now)
  })
}

/**
 * Sweeps the database (`sweepDatabase`) and this machine's spool of files
 * left by a crash, now and then, so nothing only grows.
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
      await sweepDatabase(portal, { now, countersKeptMs })
    } catch (error) {
      // Tried again at the next sweep (another process may hold the write lock); the portal goes on.
      console.error(
        `Housekeeping sweep not finished: ${error instanceof Error ? error.message : 'unknown error'}`,
      )
    }
    void sweepSpool(spoolDirectoryFor(config), { olderThanMs: SPOOL_KEPT_MS, now })
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
