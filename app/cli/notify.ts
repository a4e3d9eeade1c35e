import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { type NotifySummary, notifyEveryone } from '~/notify/notify.server'
import { createNotifyProgressBar } from '~/notify/notify-progress'
import { openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { bootstrapCommand } from './bootstrap'

const USAGE = 'usage: npm run notify -- [--postcards FILE] [--handouts FILE] [--dry-run] [--limit N] [--json]'

const argumentsSchema = z.object({
  postcards: z.string().min(1).optional(),
  handouts: z.string().min(1).optional(),
  'dry-run': z.boolean(),
  limit: z.coerce.number().int().positive().optional(),
  json: z.boolean(),
})

const values = (() => {
  try {
    const { values } = parseArgs({
      options: {
        postcards: { type: 'string' },
        handouts: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    })
    return argumentsSchema.parse(values)
  } catch {
    console.error(USAGE)
    process.exit(2)
  }
})()

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)

try {
  const summary = await notifyEveryone({
    db,
    crypto: cryptoFromConfig(config),
    portalAddress: printedPortalAddress(config.PUBLIC_URL),
    postcardsPath: values.postcards,
    handoutsPath: values.handouts,
    outputDirectory: join(dirname(config.DATABASE_URL), 'notify'),
    dryRun: values['dry-run'],
    limit: values.limit,
    progress: !values.json && process.stderr.isTTY ? createNotifyProgressBar() : undefined,
  })
  console.log(values.json ? JSON.stringify(summary) : describe(summary))
} finally {
  db.$client.close()
}

function describe(summary: NotifySummary) {
  const lines = [
    `${summary.dryRun ? 'Would notify' : 'Notified'} ${summary.humans} people: ` +
      `${summary.email} by e-mail, ${summary.postcard} by postcard, ${summary.handout} by handout` +
      (summary.unreachable > 0 ? `, ${summary.unreachable} with no way to reach them` : '') +
      '.',
  ]
  if (summary.postcardFile) lines.push(`Postcards for the printer: ${summary.postcardFile}`)
  if (summary.handoutFile) lines.push(`Handouts for employers: ${summary.handoutFile}`)
  if (!summary.dryRun && summary.email > 0)
    lines.push('E-mails are in the outbox: `npm run send` sends them.')
  return lines.join('\n')
}
