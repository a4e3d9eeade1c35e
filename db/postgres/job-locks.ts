import { type PortalDatabase, prepared } from '../database'

/**
 * Advisory locks that let one node at a time run a periodic job against the
 * database every node shares. Any fixed numbers: PostgreSQL names advisory
 * locks by integers, and the store's write lock and the migrations' are
 * 7_231_027 and 7_231_026.
 */
export const JOB_LOCKS = {
  housekeeping: 7_231_028,
  'audit-checkpoint': 7_231_029,
} as const

export type PeriodicJob = keyof typeof JOB_LOCKS

/**
 * Takes the job's lock for the rest of `tx`'s transaction if no other
 * session holds it; false, at once and without waiting, when one does.
 */
export async function tryJobLock(tx: PortalDatabase, job: PeriodicJob): Promise<boolean> {
  // A boolean comes back as 1 or 0 (postgres/client.ts).
  return (await prepared(tx, 'select pg_try_advisory_xact_lock(?)').value<number>(JOB_LOCKS[job])) === 1
}
