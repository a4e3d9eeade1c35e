import { type PortalDatabase, withTransaction } from './database'
import { type PeriodicJob, tryJobLock } from './postgres/job-locks'

export type { PeriodicJob }

export type JobRound<T> = { ran: true; result: T } | { ran: false }

/**
 * One round of a periodic job (housekeeping, an audit checkpoint) that must
 * not run on two nodes at once. On PostgreSQL, which any number of nodes
 * share, the round runs in one transaction holding the job's advisory lock; a
 * node that finds it held skips the round (`ran: false`), the holder doing
 * the work. `work` runs on the transaction it is given, so the lock costs no
 * second connection. On SQLite, where one supervising process runs the jobs,
 * `work` runs on `db` as it always has.
 */
export async function runOnOneNode<T>(
  db: PortalDatabase,
  job: PeriodicJob,
  work: (db: PortalDatabase) => Promise<T>,
): Promise<JobRound<T>> {
  if (db.$runner.dialect !== 'postgres') return { ran: true, result: await work(db) }
  // No turn among the writers: the round's statements do not need one, and holding the portal's
  // write lock for a whole sweep would stop every other node's writes meanwhile.
  return withTransaction(
    db,
    async (tx): Promise<JobRound<T>> =>
      (await tryJobLock(tx, job)) ? { ran: true, result: await work(tx) } : { ran: false },
    { mode: 'row-locking' },
  )
}
