import type { Config } from '~/config.server'
import { sharedPortalDatabase } from '~db/backend'
import { configuredOutboxSender } from './outbox-sender.server'

/**
 * The web server's own outbox sender: it polls the outbox in the background,
 * so a request only ever writes to the outbox and never waits on SMTP. Without SMTP_URL (development) mail stays in the outbox for /dev/outbox.
 */
// How soon a queued message (a one-time code, above all) leaves when the outbox was empty; and a
// short look keeps each batch small, so sending never takes a core from pages for long at a time.
const POLL_MS = 200

export function startBackgroundSender(config: Config) {
  if (!config.SMTP_URL) return undefined
  const db = sharedPortalDatabase(config).db
  const sender = configuredOutboxSender(db, { ...config, SMTP_URL: config.SMTP_URL })
  const running = sender.run({ pollMs: POLL_MS }).catch((error: unknown) => {
    // A sender that dies must not take the site with it; the outbox keeps the mail.
    console.error(`Outbox sender stopped: ${error instanceof Error ? error.message : 'unknown error'}`)
  })
  return {
    async stop() {
      await sender.stop()
      await running
    },
  }
}
