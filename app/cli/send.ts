import { z } from 'zod'
import { configuredOutboxSender } from '~/mail/outbox-sender.server'
import { countOutbox } from '~db/outbox'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

const USAGE = 'usage: npm run send -- [--once] [--json] [--lease-seconds N]'

const argumentsSchema = z.object({
  once: z.boolean(),
  json: z.boolean(),
  'lease-seconds': z.coerce.number().int().min(1).max(3600).default(120),
})

const { values } = commandArguments(USAGE, {
  options: {
    once: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'lease-seconds': { type: 'string' },
  },
  values: argumentsSchema,
})

const config = bootstrapCommand()
if (!config.SMTP_URL) {
  console.error('SMTP_URL is not set: e-mails stay in the outbox (see them at /dev/outbox).')
  process.exit(1)
}
const opened = openForCommand(config)
await migrateForCommand(opened, config)

const sender = configuredOutboxSender(
  opened.db,
  { ...config, SMTP_URL: config.SMTP_URL },
  { leaseMs: values['lease-seconds'] * 1000 },
)

const stop = () => void sender.stop()
process.once('SIGTERM', stop)
process.once('SIGINT', stop)

if (values.once) await sender.drain()
else await sender.run({ pollMs: 2000 })
await sender.stop()

const tally = sender.tally()
const outbox = await countOutbox(opened.db)
await opened.close()
console.log(
  values.json
    ? JSON.stringify({ ...tally, outbox })
    : `Sent ${tally.sent}, to retry ${tally.retried}, failed ${tally.failed}. ` +
        `Outbox: ${outbox.pending} pending, ${outbox.sending} sending, ${outbox.sent} sent, ${outbox.failed} failed.`,
)
