import { z } from 'zod'
import { AuditLogDamaged, writeCheckpoint } from '~/audit/audit-checkpoints.server'
import { auditSigningKey } from '~/audit/audit-signing-key.server'
import { verifyAuditLog } from '~/audit/audit-verification.server'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

const USAGE = 'usage: npm run audit:checkpoint -- [--json] | npm run audit:verify -- [--json]'

const {
  values,
  positionals: [task],
} = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.tuple([z.enum(['checkpoint', 'verify'])]),
})

/**
 * npm run audit:checkpoint: signs what the audit log holds now and appends it
 * to AUDIT_CHECKPOINT_FILE (the running portal does this hourly).
 * npm run audit:verify: recomputes the chain and checks it against every
 * checkpoint; exits 0 with a summary on an intact log, 1 naming the first
 * broken or missing entry otherwise.
 */
const config = bootstrapCommand()
const key = auditSigningKey(config.AUDIT_SIGNING_KEY)
const file = config.AUDIT_CHECKPOINT_FILE
const opened = openForCommand(config)
const { db } = opened
try {
  await migrateForCommand(opened, config)
  if (task === 'checkpoint') {
    const checkpoint = await writeCheckpoint({ db, key, file })
    console.log(
      values.json
        ? JSON.stringify({ ...checkpoint, file })
        : `Checkpoint signed: ${checkpoint.count.toLocaleString('en')} entries, last hash ${checkpoint.lastHash}, appended to ${file}.`,
    )
  } else {
    const { latestCheckpoint, ...verification } = await verifyAuditLog({
      db,
      key: key.verifier,
      checkpointFile: file,
    })
    if (values.json) {
      console.log(JSON.stringify({ ...verification, latestCheckpoint, keyId: key.verifier.keyId, file }))
    } else if (verification.ok) console.log(verification.message)
    else console.error(verification.message)
    if (!verification.ok) process.exitCode = 1
  }
} catch (error) {
  if (!(error instanceof AuditLogDamaged)) throw error
  console.error(`${error.message}; run npm run audit:verify.`)
  process.exitCode = 1
} finally {
  await opened.close()
}
