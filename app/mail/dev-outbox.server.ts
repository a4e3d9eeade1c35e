import { intlLocale, type Language } from '~/i18n/config'
import type { PortalDatabase } from '~db/database'
import { countOutbox, listOutbox, type OutboxEntry } from '~db/outbox'
import { OUTBOX_STATES, type OutboxState } from '~db/schema'
import type { Keyring } from '~db/seal'
import { type EmailContent, renderEmail } from './email-content.server'

/**
 * What the development outbox page (/dev/outbox) shows: the newest messages
 * of the outbox, rendered as they would be sent, and how many are in each
 * state. Without SMTP_URL mail never leaves the outbox, so this is where a
 * developer reads it. Never used in production.
 */

export const DEV_OUTBOX_LIMIT = 50

export type DevOutboxTime = { iso: string; display: string }

export type DevOutboxMessage = {
  id: number
  state: OutboxState
  attempts: number
  lastError: string | null
  createdAt: DevOutboxTime
  sentAt: DevOutboxTime | null
  /**
   * The e-mail as it would be sent: `kept` until it is sent (its content is
   * dropped then), `unreadable` if the stored content cannot be rendered.
   */
  email:
    | { status: 'kept'; to: string; subject: string; text: string }
    | { status: 'notKept' }
    | { status: 'unreadable' }
}

export type DevOutbox = {
  limit: number
  /** Every state, in the order a message goes through them, with how many messages are in it. */
  counts: { state: OutboxState; count: number }[]
  messages: DevOutboxMessage[]
}

export async function loadDevOutbox({
  db,
  keyring,
  language,
}: {
  db: PortalDatabase
  keyring: Keyring
  /** The reader's language, for the dates; each e-mail stays in its own. */
  language: Language
}): Promise<DevOutbox> {
  const formatter = new Intl.DateTimeFormat(intlLocale(language), {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'Asia/Tokyo',
  })
  const time = (at: number): DevOutboxTime => {
    const date = new Date(at)
    return { iso: date.toISOString(), display: `${formatter.format(date)} JST` }
  }
  return {
    limit: DEV_OUTBOX_LIMIT,
    counts: countsInOrder(await countOutbox(db)),
    messages: (await listOutbox(db, keyring, { limit: DEV_OUTBOX_LIMIT })).map((entry) => ({
      id: entry.id,
      state: entry.state,
      attempts: entry.attempts,
      lastError: entry.lastError,
      createdAt: time(entry.createdAt),
      sentAt: entry.sentAt === null ? null : time(entry.sentAt),
      email: renderedEmail(entry),
    })),
  }
}

function renderedEmail({ content }: OutboxEntry): DevOutboxMessage['email'] {
  if (content === null) return { status: 'notKept' }
  try {
    const { to, subject, text } = renderEmail(content as EmailContent)
    return { status: 'kept', to, subject, text }
  } catch {
    return { status: 'unreadable' }
  }
}

function countsInOrder(counts: Record<OutboxState, number>) {
  return OUTBOX_STATES.map((state) => ({ state, count: counts[state] }))
}
