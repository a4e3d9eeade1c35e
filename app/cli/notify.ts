import { join } from 'node:path'
import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { type NotifySummary, notifyEveryone } from '~/notify/notify.server'
import { createNotifyProgressBar } from '~/notify/notify-progress'
import {
  PrinterFolderError,
  PURGE_DAYS,
  type PurgeSummary,
  purgePrintedFiles,
} from '~/notify/printer-folder.server'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

const USAGE = [
  'usage: npm run notify -- [--postcards FILE] [--handouts FILE] [--dry-run] [--limit N] [--json]',
  '       npm run notify -- --purge-printed [--older-than-days N] [--dry-run] [--json]',
  `       (N: whole days, ${PURGE_DAYS.min} to ${PURGE_DAYS.max}, default ${PURGE_DAYS.default})`,
].join('\n')

const argumentsSchema = z.discriminatedUnion('purge-printed', [
  z.strictObject({
    'purge-printed': z.literal(false),
    postcards: z.string().min(1).optional(),
    handouts: z.string().min(1).optional(),
    'dry-run': z.boolean(),
    limit: z.coerce.number().int().positive().optional(),
    json: z.boolean(),
  }),
  // Only the purge's own options: a run's options beside it are a mistake worth stopping at.
  z.strictObject({
    'purge-printed': z.literal(true),
    'older-than-days': z
      .string()
      .max(3)
      .regex(/^[0-9]+$/)
      .optional()
      .transform((days) => (days === undefined ? PURGE_DAYS.default : Number(days)))
      .pipe(z.number().int().min(PURGE_DAYS.min).max(PURGE_DAYS.max)),
    'dry-run': z.boolean(),
    json: z.boolean(),
  }),
])

const { values } = commandArguments(USAGE, {
  options: {
    postcards: { type: 'string' },
    handouts: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
    'purge-printed': { type: 'boolean', default: false },
    'older-than-days': { type: 'string' },
  },
  values: argumentsSchema,
})

const config = bootstrapCommand()
/** The portal's own folder for printer files: in this machine's data folder (beside a SQLite file). */
const printerFolder = join(config.DATA_DIRECTORY, 'notify')

try {
  if (values['purge-printed']) {
    const summary = purgePrintedFiles({
      directory: printerFolder,
      olderThanDays: values['older-than-days'],
      dryRun: values['dry-run'],
    })
    console.log(values.json ? JSON.stringify(summary) : describePurge(summary))
  } else {
    const opened = openForCommand(config)
    try {
      await migrateForCommand(opened, config)
      const summary = await notifyEveryone({
        db: opened.db,
        crypto: cryptoFromConfig(config),
        portalAddress: printedPortalAddress(config.PUBLIC_URL),
        postcardsPath: values.postcards,
        handoutsPath: values.handouts,
        outputDirectory: printerFolder,
        dryRun: values['dry-run'],
        limit: values.limit,
        progress: !values.json && process.stderr.isTTY ? createNotifyProgressBar() : undefined,
      })
      console.log(values.json ? JSON.stringify(summary) : describe(summary))
    } finally {
      await opened.close()
    }
  }
} catch (error) {
  if (!(error instanceof PrinterFolderError)) throw error
  console.error(error.message)
  process.exitCode = 1
}

function describe(summary: NotifySummary) {
  const lines = [
    `${summary.dryRun ? 'Would notify' : 'Notified'} ${summary.humans} people: ` +
      `${summary.email} by e-mail, ${summary.postcard} by postcard, ${summary.handout} by handout` +
      (summary.unreachable > 0 ? `, ${summary.unreachable} with no way to reach them` : '') +
      '.',
  ]
  if (summary.reprints > 0)
    lines.push(
      `${summary.dryRun ? 'Would add' : 'Added'} ${summary.reprints} notices support staff sent again on paper.`,
    )
  if (summary.postcardFile) lines.push(`Postcards for the printer: ${summary.postcardFile}`)
  if (summary.handoutFile) lines.push(`Handouts for employers: ${summary.handoutFile}`)
  if (summary.postcardFile || summary.handoutFile)
    lines.push(
      'They hold letter codes, names and addresses: delete them once printed. ' +
        `\`npm run notify -- --purge-printed\` removes those in ${printerFolder} ` +
        `older than ${PURGE_DAYS.default} days.`,
    )
  if (!summary.dryRun && summary.email > 0)
    lines.push('E-mails are in the outbox: `npm run send` sends them.')
  return lines.join('\n')
}

function describePurge(summary: PurgeSummary) {
  const days = summary.olderThanDays === 1 ? '1 day' : `${summary.olderThanDays} days`
  return (
    `${summary.dryRun ? 'Would remove' : 'Removed'} ${summary.removed} printer files older than ${days} ` +
    `from ${summary.directory}; ${summary.kept} newer or still being written stay.`
  )
}
