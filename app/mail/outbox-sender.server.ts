import nodemailer from 'nodemailer'
import type { Config } from '~/config.server'
import { cryptoFromConfig } from '~/crypto.server'
import { isStorageFull } from '~/server/storage-full-error'
import type { PortalDatabase } from '~db/database'
import { type ClaimedMessage, claimDueMessages, markFailed, markForRetry, markSent } from '~db/outbox'
import type { Keyring } from '~db/seal'
import { type EmailContent, renderEmail } from './email-content.server'

/** How long a sender that met a full disk waits before it tries again. */
const STORAGE_FULL_PAUSE_MS = 2_000

/**
 * Drains the outbox through one pooled SMTP transport. Messages are claimed
 * for a lease before they are sent, so two senders never take the same one,
 * and marked sent the moment the server accepts them, so a sender killed
 * mid-batch resends only what the server never accepted. (The one window left
 * is between the server's 250 and that write: SMTP cannot close it.)
 */

export type OutboxSenderOptions = {
  db: PortalDatabase
  keyring: Keyring
  smtpUrl: string
  from: string
  /** Messages a second, across the pool. */
  rate: number
  /** First wait after a temporary failure; doubled each time, at most an hour. */
  retryMs: number
  /** How long a claimed message is ours before another sender may take it. */
  leaseMs?: number
  maxConnections?: number
  /** Where a line per permanent failure goes: reasons only, never an address. */
  log?: (line: string) => void
  now?: () => number
}

export type SendTally = { sent: number; retried: number; failed: number }

const MAX_RETRY_DELAY_MS = 60 * 60 * 1000
/** About three days of hourly retries after the backoff has grown; then it is a bounce. */
const MAX_ATTEMPTS = 80

/**
 * The outbox sender the configuration describes, as both the web server's
 * background sender and `npm run send` run it; its lines go to stderr.
 */
export function configuredOutboxSender(
  db: PortalDatabase,
  config: Config & { SMTP_URL: string },
  { leaseMs }: { leaseMs?: number } = {},
) {
  return createOutboxSender({
    db,
    keyring: cryptoFromConfig(config).keyring,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    rate: config.SMTP_RATE,
    retryMs: config.SMTP_RETRY_MS,
    leaseMs,
    log: (line) => console.error(line),
  })
}

export function createOutboxSender(options: OutboxSenderOptions) {
  const { db, keyring, now = Date.now, leaseMs = 120_000, maxConnections = 5 } = options
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections,
    maxMessages: 1000,
    rateLimit: Math.max(1, Math.round(options.rate)),
    rateDelta: 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    // Mail is built from our own text only: never fetch a URL or read a file for it.
    disableFileAccess: true,
    disableUrlAccess: true,
  })
  const domain = senderDomain(options.from)
  const tally: SendTally = { sent: 0, retried: 0, failed: 0 }
  // Enough in flight to keep every pooled connection busy, few enough to keep memory flat, and no
  // more than about two seconds' sending at `rate`: an urgent message claimed next waits behind
  // what is already in flight (bulk notices, say), never behind the whole outbox.
  const window = Math.max(2 * maxConnections, Math.min(maxConnections * 20, Math.ceil(options.rate * 2)))
  const inFlightIds = new Set<number>()
  // Sends that ended while a claim was under way: that claim may have taken them again (their lease
  // ran out), so they count as in flight until its messages are sorted.
  let claiming = false
  const endedWhileClaiming: number[] = []
  let stopping = false
  let wake: (() => void) | undefined

  async function send(message: ClaimedMessage) {
    let email: ReturnType<typeof renderEmail>
    try {
      email = renderEmail(message.content as EmailContent)
    } catch {
      await markFailed(db, message.id, 'content could not be rendered')
      tally.failed++
      return
    }
    try {
      await transport.sendMail({
        from: options.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        // The same ID on every attempt, so a receiving server can drop a duplicate.
        messageId: `<outbox-${message.id}@${domain}>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      })
      await markSent(db, message.id, now())
      tally.sent++
    } catch (error) {
      await settleFailure(message, error)
    }
  }

  async function settleFailure(message: ClaimedMessage, error: unknown) {
    const failure = describeFailure(error)
    if (failure.permanent || message.attempts >= MAX_ATTEMPTS) {
      await markFailed(db, message.id, failure.reason)
      options.log?.(`outbox message ${message.id} failed: ${failure.reason}`)
      tally.failed++
      return
    }
    const delay = Math.min(options.retryMs * 2 ** (message.attempts - 1), MAX_RETRY_DELAY_MS)
    await markForRetry(db, message.id, { nextAttemptAt: now() + delay, reason: failure.reason })
    tally.retried++
  }

  /** Sends everything due now, then resolves. */
  async function drain(): Promise<SendTally> {
    const inFlight = new Set<Promise<void>>()
    for (;;) {
      if (stopping) break
      const room = window - inFlight.size
      claiming = true
      let claimed: ClaimedMessage[]
      try {
        claimed =
          room > window / 2 ? await claimDueMessages(db, keyring, { now: now(), limit: room, leaseMs }) : []
      } finally {
        claiming = false
      }
      for (const message of claimed) {
        // Still ours from an earlier claim whose lease ran out while it waited its turn: claiming it
        // again only extended the lease; sending it again would deliver it twice.
        if (inFlightIds.has(message.id)) continue
        inFlightIds.add(message.id)
        const sending: Promise<void> = send(message).finally(() => {
          inFlight.delete(sending)
          if (claiming) endedWhileClaiming.push(message.id)
          else inFlightIds.delete(message.id)
        })
        inFlight.add(sending)
      }
      for (const id of endedWhileClaiming.splice(0)) inFlightIds.delete(id)
      if (inFlight.size === 0) break
      await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    return { ...tally }
  }

  /**
   * Drains, then looks again every `pollMs` until stopped. A full disk pauses
   * sending (one line when it starts), and sending resumes by itself once
   * space returns; anything else still ends the run.
   */
  async function run({ pollMs }: { pollMs: number }) {
    let full = false
    while (!stopping) {
      try {
        await drain()
        full = false
      } catch (error) {
        if (!isStorageFull(error)) throw error
        if (!full)
          options.log?.(
            '[disk full] outbox sender paused: the database cannot be written; it retries by itself',
          )
        full = true
      }
      if (stopping) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, full ? Math.max(pollMs, STORAGE_FULL_PAUSE_MS) : pollMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
    }
  }

  return {
    drain,
    run,
    tally: () => ({ ...tally }),
    /** Lets what is in flight finish, then closes the pool. */
    async stop() {
      stopping = true
      wake?.()
      transport.close()
    },
  }
}

export type OutboxSender = ReturnType<typeof createOutboxSender>

type Failure = { permanent: boolean; reason: string }

/**
 * A 5xx reply is the server saying never (unknown mailbox, refused address);
 * a 4xx reply or a broken connection may go better later.
 */
export function describeFailure(error: unknown): Failure {
  const { responseCode, code, response } = (error ?? {}) as {
    responseCode?: number
    code?: string
    response?: string
  }
  // The server's reply may quote the address it refused: keep its code and class only.
  const reply =
    typeof response === 'string' ? response.match(/^\d{3}(?:[ -]\d\.\d{1,3}\.\d{1,3})?/)?.[0] : undefined
  if (typeof responseCode === 'number') {
    return {
      permanent: responseCode >= 500,
      reason: `SMTP ${reply ?? responseCode}${code ? ` (${code})` : ''}`,
    }
  }
  return { permanent: false, reason: code ? `connection: ${code}` : 'connection failed' }
}

function senderDomain(from: string) {
  // `[^<>]`, not `[^>]`: on a run of `<` without a `>` the latter is quadratic.
  const address = from.match(/<([^<>]+)>/)?.[1] ?? from
  return address.split('@')[1]?.trim() || 'localhost'
}
