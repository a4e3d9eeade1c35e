import { z } from 'zod'
import { cryptoFromConfigForDatabase } from '~/crypto.server'
import { importFiles } from '~db/import/import-files'
import { ImportRefusedError } from '~db/import/import-target'
import { createProgressBar } from '~db/import/progress'
import { UnreadableFileError } from '~db/import/source'
import { indexKeyState, rotationUnfinished } from '~db/index-key-rotation'
import { importFilesIntoPostgres } from '~db/postgres/import-target'
import { commandArguments } from './arguments'
import { bootstrapCommand, endCommand, migrateForCommand, openForCommand } from './bootstrap'

const USAGE = 'usage: npm run import -- [--json] <directory or files…>'

const { values, positionals } = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.array(z.string()).min(1),
})

const config = bootstrapCommand()
const opened = openForCommand(config)
await migrateForCommand(opened, config)
const crypto = await cryptoFromConfigForDatabase(config, opened.db)
// A re-imported person is matched by their natural ID's digest under the current key alone.
if (rotationUnfinished(await indexKeyState(opened.db, crypto), crypto)) {
  await endCommand(
    opened,
    'An index-key rotation is unfinished: run npm run keys:rotate to its end, then import (README, "Index keys").',
  )
}

try {
  const options = {
    crypto,
    paths: positionals,
    progress: !values.json && process.stderr.isTTY ? createProgressBar() : undefined,
  }
  // SQLite is written on the command's own connection; PostgreSQL by COPY, on connections of the import's own.
  const result = opened.sqlite
    ? await importFiles({ db: opened.sqlite, ...options })
    : await importFilesIntoPostgres({ url: config.DATABASE_URL, ...options })
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
  if (!(error instanceof UnreadableFileError || error instanceof ImportRefusedError)) throw error
  console.error(`Import stopped: ${error.message}`)
  process.exitCode = 1
} finally {
  await opened.close()
}
