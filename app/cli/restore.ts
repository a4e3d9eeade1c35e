import { z } from 'zod'
import { restoreBackup } from '~/backup/restore-backup.server'
import { DatabaseFileProblem } from '~db/backup'
import { commandArguments, MAX_ARGUMENT_LENGTH } from './arguments'
import { describeTables } from './backup-summary'
import { bootstrapCommand } from './bootstrap'

const USAGE = 'usage: npm run restore -- [--json] FILE'

const {
  values,
  positionals: [file],
} = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.tuple([z.string().min(1).max(MAX_ARGUMENT_LENGTH)]),
})

/**
 * npm run restore -- FILE: puts the backup FILE in the place of DATABASE_URL.
 * Refused, with the database untouched, while a portal serves it or any
 * process has it open, and when FILE is not a whole SQLite database of a
 * schema this code knows. The replaced database is kept beside it (see
 * ~/backup/restore-backup.server). Exit 0 with a summary; 1 with one line
 * saying what was wrong. A SQLite file only: with a PostgreSQL server it
 * refuses, pointing to pg_restore.
 */
const config = bootstrapCommand()
// The database is a server's, not a file here: its operator's tools restore it (the URL is not repeated).
if (config.DATABASE_BACKEND === 'postgres') {
  console.error(
    'Restore refused: DATABASE_URL names a PostgreSQL server, whose database npm run restore cannot replace; ' +
      `restore it with pg_restore (or the managed service's restore), and put its audit checkpoints back in ${config.AUDIT_CHECKPOINT_FILE}.`,
  )
  process.exit(1)
}
try {
  const report = restoreBackup({
    file,
    database: config.DATABASE_URL,
    checkpointFile: config.AUDIT_CHECKPOINT_FILE,
  })
  if (values.json) console.log(JSON.stringify(report))
  else {
    console.log(`Restored ${file} to ${report.database}: ${describeTables(report)}; integrity checked.`)
    console.log(
      report.previous
        ? `The database it replaced is kept as ${report.previous}: to undo, stop the portal and restore that file.`
        : 'There was no database there before.',
    )
    if (report.checkpointFile)
      console.log(
        `Audit checkpoints restored to ${report.checkpointFile}${report.previousCheckpoints ? ` (the previous ones kept as ${report.previousCheckpoints})` : ''}.`,
      )
    else
      console.log(
        'No audit checkpoints were beside the backup: npm run audit:verify checks the restored log against the existing ones.',
      )
    console.log('Start the portal (npm start): it brings the schema up to date if the backup is older.')
  }
} catch (error) {
  if (!(error instanceof DatabaseFileProblem)) throw error
  console.error(`Restore refused: ${error.message}`)
  process.exitCode = 1
}
