import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { closeDatabase, openDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { createProgressBar } from '~db/import/progress'
import { UnreadableFileError } from '~db/import/source'
import { indexKeyState, rotationUnfinished } from '~db/index-key-rotation'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateForCommand } from './bootstrap'

const USAGE = 'usage: npm run import -- [--json] <directory or files…>'

const { values, positionals } = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.array(z.string()).min(1),
})

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
migrateForCommand(db, config)
const crypto = cryptoFromConfig(config, db)
// A re-imported person is matched by their natural ID's digest under the current key alone.
if (rotationUnfinished(indexKeyState(db, crypto), crypto)) {
  console.error(
    'An index-key rotation is unfinished: run npm run keys:rotate to its end, then import (README, "Index keys").',
  )
  closeDatabase(db)
  process.exit(1)
}

try {
  const result = await importFiles({
    db,
    crypto,
    paths: positionals,
    progress: !values.json && process.stderr.isTTY ? createProgressBar() : undefined,
  })
  if (values.json) console.log(JSON.stringify(result))
  else {
    for (const file of result.files) {
      console.log(
        `${file.file} (${file.kind}): ${file.records} records, ${file.inserted} inserted, ${file.updated} updated, ` +
          `${file.unchanged} unchanged, ${file.rejected} rejected`,
      )
      for (const error of file.errors.slice(0, 20)) {
        console.log(`  record ${error.record} (line ${error.line}) ${error.field}: ${error.reason}`)
      }
      if (file.rejected > 20) console.log(`  … and ${file.rejected - 20} more (use --json for up to 1000)`)
    }
  }
} catch (error) {
  if (!(error instanceof UnreadableFileError)) throw error
  console.error(`Import stopped: ${error.message}`)
  process.exitCode = 1
} finally {
  closeDatabase(db)
}
