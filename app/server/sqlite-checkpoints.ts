import type { Config } from '~/config.server'
import { leaveCheckpointsToTheirThread } from '~db/client'
import { startWalCheckpoints } from '~db/wal-checkpoints'

/**
 * A serving process copies SQLite's write-ahead log back into the file on a
 * thread of its own, never inside a request's commit (see
 * ~db/wal-checkpoints). A PostgreSQL server checkpoints its own log: with
 * one, neither of these does anything.
 */

type Settings = Pick<Config, 'DATABASE_BACKEND' | 'DATABASE_URL'>

/** This process's SQLite connections, open and to come, leave checkpoints to the thread. */
export function leaveSqliteCheckpointsToTheirThread(config: Settings) {
  if (config.DATABASE_BACKEND === 'sqlite') leaveCheckpointsToTheirThread()
}

/** The portal's one checkpoint thread, on SQLite; `undefined` on PostgreSQL. */
export function startSqliteCheckpoints(config: Settings): { stop(): Promise<void> } | undefined {
  return config.DATABASE_BACKEND === 'sqlite' ? startWalCheckpoints(config.DATABASE_URL) : undefined
}
