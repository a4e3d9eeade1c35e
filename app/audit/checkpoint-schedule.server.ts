import type { Config } from '~/config.server'
import { sharedPortalDatabase } from '~db/backend'
import { runOnOneNode } from '~db/periodic-jobs'
import { writeCheckpoint } from './audit-checkpoints.server'
import { auditSigningKey } from './audit-signing-key.server'

const EVERY_MS = 60 * 60 * 1000

/**
 * The running portal's signed checkpoints: one when it starts (a portal
 * restarted more often than hourly still leaves some) and one an hour after.
 * Started by the supervising process only, so the web workers never write the
 * file side by side; on PostgreSQL one node at a time signs, and a node that
 * finds another signing skips that round.
 */
export function startAuditCheckpoints(
  config: Pick<
    Config,
    'DATABASE_URL' | 'DATABASE_BACKEND' | 'DATABASE_POOL_SIZE' | 'AUDIT_SIGNING_KEY' | 'AUDIT_CHECKPOINT_FILE'
  >,
) {
  const db = sharedPortalDatabase(config).db
  const key = auditSigningKey(config.AUDIT_SIGNING_KEY)
  const checkpoint = async () => {
    try {
      await runOnOneNode(db, 'audit-checkpoint', (signer) =>
        writeCheckpoint({ db: signer, key, file: config.AUDIT_CHECKPOINT_FILE }),
      )
    } catch (error) {
      // Logged and tried again next hour; the portal goes on serving. (Messages hold counts and paths only.)
      console.error(
        `Audit checkpoint not written: ${error instanceof Error ? error.message : 'unknown error'}`,
      )
    }
  }
  // One checkpoint at a time, each after the last; `stop` waits for the one under way.
  let checkpointing = checkpoint()
  const timer = setInterval(() => {
    checkpointing = checkpointing.then(checkpoint)
  }, EVERY_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await checkpointing
    },
  }
}
