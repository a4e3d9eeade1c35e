import { resolve } from 'node:path'
import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { openAtomicCsv } from '~/files/atomic-csv.server'
import { readyMemberIds } from '~db/member-readiness'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

const USAGE = 'usage: npm run export:ready -- FILE'

const {
  positionals: [file],
} = commandArguments(USAGE, { options: {}, values: z.object({}), positionals: z.tuple([z.string().min(1)]) })

/**
 * npm run export:ready -- FILE: the IDs of every member ready for the
 * resumption, one per row under a `member_id` header (CSV, UTF-8 with BOM,
 * CRLF), for the shop's batch. Written under a temporary name and renamed, so
 * the shop never reads half a file.
 */
const config = bootstrapCommand()
const opened = openForCommand(config)
await migrateForCommand(opened, config)
const path = resolve(file)
const output = openAtomicCsv(path, ['member_id'])
try {
  for await (const memberId of readyMemberIds(opened.db, cryptoFromConfig(config).keyring))
    await output.write([memberId])
  const rows = await output.commit()
  console.log(`Wrote ${rows.toLocaleString('en')} ready member IDs to ${path}.`)
} catch (error) {
  output.abandon()
  console.error(`Could not write ${path}: ${error instanceof Error ? error.message : 'unknown error'}`)
  process.exitCode = 1
} finally {
  await opened.close()
}
