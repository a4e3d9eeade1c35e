import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { takeBackup } from '~/backup/take-backup.server'
import { DatabaseFileProblem } from '~db/backup'
import { commandArguments, MAX_ARGUMENT_LENGTH } from './arguments'
import { describeTables, megabytes } from './backup-summary'
import { bootstrapCommand } from './bootstrap'

const USAGE = 'usage: npm run backup -- [--force] [--json] FILE'

const {
  values,
  positionals: [file],
} = commandArguments(USAGE, {
  options: { force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  values: z.object({ force: z.boolean(), json: z.boolean() }),
  positionals: z.tuple([z.string().min(1).max(MAX_ARGUMENT_LENGTH)]),
})

/**
 * npm run backup -- FILE: a consistent copy of DATABASE_URL taken while the
 * portal serves, checked whole (integrity, foreign keys, schema) before it
 * gets the name FILE, with the signed audit checkpoints beside it as
 * FILE.audit-checkpoints.jsonl (see ~/backup/take-backup.server). Both are
 * 0600: they hold what the database holds, sealed as it is. An existing FILE
 * is replaced only with --force. Exit 0 with a summary; 1 with one line saying
 * what was wrong. A SQLite file only: with a PostgreSQL server it refuses,
 * pointing to pg_dump.
 */
const config = bootstrapCommand()
// The database is a server's, not a file here: its operator's tools back it up (the URL is not repeated).
if (config.DATABASE_BACKEND === 'postgres') {
  console.error(
    'Backup refused: DATABASE_URL names a PostgreSQL server, which npm run backup cannot copy; ' +
      `back it up with pg_dump (or the managed service's backups), and keep ${config.AUDIT_CHECKPOINT_FILE} with it.`,
  )
  process.exit(1)
}
const started = performance.now()
try {
  const report = takeBackup({
    database: config.DATABASE_URL,
    checkpointFile: config.AUDIT_CHECKPOINT_FILE,
    file,
    replace: values.force,
  })
  const seconds = (performance.now() - started) / 1000
  if (values.json) console.log(JSON.stringify({ ...report, seconds }))
  else {
    console.log(
      `Backup written to ${report.file}: ${describeTables(report)}, ${megabytes(report.bytes)}, in ${seconds.toFixed(1)} s; integrity checked.`,
    )
    console.log(
      report.checkpointFile
        ? `Audit checkpoints (${report.checkpoints}) copied to ${report.checkpointFile}: keep them with the backup.`
        : 'No audit checkpoints to copy yet.',
    )
  }
} catch (error) {
  if (!(error instanceof DatabaseFileProblem)) throw error
  console.error(`Backup failed: ${error.message}`)
  process.exitCode = 1
}
