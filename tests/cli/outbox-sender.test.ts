import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureProductionBuild } from '~/cli/build'
import {
  type CommandResult,
  memberAddress,
  type NotifiedPopulation,
  notifiedPopulation,
  runPortalCommand,
  startPortalCommand,
} from '../support/notified-population'
import { startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * `npm run send` and the web server's own sender, as real processes over a
 * real SQLite file, delivering to a real SMTP server on loopback.
 */

type OutboxRow = {
  id: number
  state: string
  attempts: number
  nextAttemptAt: number
  leaseUntil: number | null
  lastError: string | null
  sentAt: number | null
  sealed: number
}

type SendReport = {
  sent: number
  retried: number
  failed: number
  outbox: { pending: number; sending: number; sent: number; failed: number }
}

const RETRY_MS = 100

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function population(
  count: number,
  options: Omit<Parameters<typeof notifiedPopulation>[0], 'count'> = {},
) {
  const made = await notifiedPopulation({ ...options, count })
  cleanups.push(made.remove)
  return made
}

async function sink(decide?: NonNullable<Parameters<typeof startSmtpSink>[0]>['decide']) {
  const started = await startSmtpSink({ decide })
  cleanups.push(started.close)
  return started
}

function senderEnvironment(made: NotifiedPopulation, smtp: SmtpSink) {
  return { ...made.env, SMTP_URL: smtp.url, SMTP_RATE: '1000', SMTP_RETRY_MS: String(RETRY_MS) }
}

function startSend(made: NotifiedPopulation, smtp: SmtpSink, args: string[]) {
  const started = startPortalCommand('app/cli/send.ts', {
    cwd: made.directory,
    env: senderEnvironment(made, smtp),
    args: ['--json', ...args],
  })
  cleanups.push(() => {
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL')
  })
  return started
}

async function sendOnce(made: NotifiedPopulation, smtp: SmtpSink, args: string[] = []) {
  const result = await runPortalCommand('app/cli/send.ts', {
    cwd: made.directory,
    env: senderEnvironment(made, smtp),
    args: ['--once', '--json', ...args],
  })
  return report(result)
}

function report(result: CommandResult): SendReport {
  expect(result.signal, result.stderr).toBeNull()
  expect(result.status, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as SendReport
}

function outboxRows(databasePath: string): OutboxRow[] {
  const db = new Database(databasePath, { readonly: true })
  try {
    return db
      .prepare(`
        select id, state, attempts, next_attempt_at as nextAttemptAt, lease_until as leaseUntil,
          last_error as lastError, sent_at as sentAt, content_sealed is not null as sealed
        from outbox_messages order by id`)
      .all() as OutboxRow[]
  } finally {
    db.close()
  }
}

/** The outbox ID a delivered message carries in its Message-ID, or NaN. */
function outboxIdOf(mail: ReceivedMail) {
  const match = mail.messageId?.match(/^<outbox-(\d+)@portal\.example>$/)
  return match ? Number(match[1]) : Number.NaN
}

/**
 * Each expected outbox row arrived exactly once, to its own address and no
 * other, and nothing else arrived. Lines are `ID address`, so a failure shows
 * which message went wrong (the addresses are made up).
 */
function expectDeliveredOnce(received: ReceivedMail[], expected: Map<number, string>) {
  const delivered = received.map((mail) => `${outboxIdOf(mail)} ${mail.to.join(',')}`).sort()
  const wanted = [...expected].map(([id, address]) => `${id} ${address}`).sort()
  expect(delivered).toEqual(wanted)
  expect(new Set(received.map((mail) => mail.messageId)).size).toBe(expected.size)
  expect(new Set(received.flatMap((mail) => mail.to)).size).toBe(expected.size)
}

function expectAllSent(rows: OutboxRow[], { after, before }: { after: number; before: number }) {
  for (const row of rows) {
    expect(row, `outbox row ${row.id}`).toMatchObject({
      state: 'sent',
      sealed: 0,
      leaseUntil: null,
      lastError: null,
    })
    expect(row.sentAt, `outbox row ${row.id}`).toBeGreaterThanOrEqual(after)
    expect(row.sentAt, `outbox row ${row.id}`).toBeLessThanOrEqual(before)
  }
}

function idOf(made: NotifiedPopulation, address: string) {
  const found = [...made.recipients].find(([, to]) => to === address)
  if (!found) throw new Error('no outbox row for that address')
  return found[0]
}

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('npm run send', () => {
  it('delivers every outbox e-mail once to its own address, then keeps only the fact that it was sent', async () => {
    const made = await population(60)
    const smtp = await sink()
    expect(made.recipients.size).toBe(60)
    expect(outboxRows(made.databasePath).every((row) => row.state === 'pending' && row.sealed === 1)).toBe(
      true,
    )

    const before = Date.now()
    const first = await sendOnce(made, smtp)
    const after = Date.now()
    expect(first).toEqual({
      sent: 60,
      retried: 0,
      failed: 0,
      outbox: { pending: 0, sending: 0, sent: 60, failed: 0 },
    })
    expectDeliveredOnce(smtp.received, made.recipients)
    expect(smtp.attempts()).toBe(60)
    const rows = outboxRows(made.databasePath)
    expect(rows.map((row) => row.id).sort((a, b) => a - b)).toEqual(
      [...made.recipients.keys()].sort((a, b) => a - b),
    )
    expectAllSent(rows, { after: before, before: after })
    expect(rows.every((row) => row.attempts === 1)).toBe(true)
    for (const mail of smtp.received) {
      expect(mail.from).toBe('no-reply@portal.example')
      expect(mail.raw).toMatch(/^Auto-Submitted: auto-generated$/im)
    }

    // Sent is sent: a second run finds nothing to do.
    const second = await sendOnce(made, smtp)
    expect(second).toMatchObject({ sent: 0, retried: 0, failed: 0 })
    expect(smtp.attempts()).toBe(60)
  })

  it('retries after a 451 once SMTP_RETRY_MS has passed, delivering each message once on its second attempt', async () => {
    const made = await population(20)
    const refusedAt = new Map<string | undefined, number>()
    const waited: number[] = []
    const smtp = await sink((_attempt, mail) => {
      const refused = refusedAt.get(mail.messageId)
      if (refused !== undefined) {
        waited.push(Date.now() - refused)
        return { accept: true }
      }
      refusedAt.set(mail.messageId, Date.now())
      return { accept: false, responseCode: 451, message: '4.3.0 try again later' }
    })

    const started = Date.now()
    const first = await sendOnce(made, smtp)
    const finished = Date.now()
    expect(refusedAt.size).toBe(20)
    // A message may come due again while the same run is still busy with others: either run may retry it.
    for (const row of outboxRows(made.databasePath).filter((row) => row.state !== 'sent')) {
      expect(row).toMatchObject({ state: 'pending', attempts: 1, sealed: 1, leaseUntil: null })
      expect(row.lastError).toMatch(/^SMTP 451\b/)
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(started + RETRY_MS)
      expect(row.nextAttemptAt).toBeLessThanOrEqual(finished + RETRY_MS)
    }

    await until(() => Date.now() > finished + RETRY_MS, 5_000, 'the retry delay')
    const second = await sendOnce(made, smtp)
    expect(first.sent + second.sent).toBe(20)
    expect(first.retried + second.retried).toBe(20)
    expect(first.failed + second.failed).toBe(0)
    expect(second.outbox).toEqual({ pending: 0, sending: 0, sent: 20, failed: 0 })
    expectDeliveredOnce(smtp.received, made.recipients)
    expect(smtp.attempts()).toBe(40)
    expect(waited).toHaveLength(20)
    for (const wait of waited) expect(wait).toBeGreaterThanOrEqual(RETRY_MS)
    const rows = outboxRows(made.databasePath)
    expectAllSent(rows, { after: started, before: Date.now() })
    expect(rows.map((row) => row.attempts)).toEqual(rows.map(() => 2))
  })

  it('keeps running without --once: a message refused with 451 goes on the next round, and SIGTERM ends it cleanly', async () => {
    const made = await population(10)
    const unlucky = `<outbox-${idOf(made, memberAddress(4))}@portal.example>`
    let refusals = 0
    const smtp = await sink((_attempt, mail) => {
      if (mail.messageId !== unlucky || refusals > 0) return { accept: true }
      refusals++
      return { accept: false, responseCode: 451, message: '4.7.1 greylisted, come back later' }
    })

    const sender = startSend(made, smtp, [])
    await smtp.waitFor(10, 20_000)
    await until(
      () => outboxRows(made.databasePath).every((row) => row.state === 'sent'),
      5_000,
      'the last message to be marked sent',
    )
    sender.child.kill('SIGTERM')
    const result = report(await sender.result)
    expect(result).toEqual({
      sent: 10,
      retried: 1,
      failed: 0,
      outbox: { pending: 0, sending: 0, sent: 10, failed: 0 },
    })
    expect(refusals).toBe(1)
    expectDeliveredOnce(smtp.received, made.recipients)
    const rows = outboxRows(made.databasePath)
    expect(rows.map((row) => [row.id, row.attempts])).toEqual(
      rows.map((row) => [row.id, `<outbox-${row.id}@portal.example>` === unlucky ? 2 : 1]),
    )
  })

  it('marks a message refused with 550 failed, with the reply code but not the address, and sends the rest', async () => {
    const made = await population(15)
    const refusedAddress = memberAddress(7)
    const smtp = await sink((_attempt, mail) =>
      mail.to.includes(refusedAddress)
        ? {
            accept: false,
            responseCode: 550,
            message: `5.1.1 <${refusedAddress}>: Recipient address rejected`,
          }
        : { accept: true },
    )

    const result = await runPortalCommand('app/cli/send.ts', {
      cwd: made.directory,
      env: senderEnvironment(made, smtp),
      args: ['--once', '--json'],
    })
    expect(report(result)).toEqual({
      sent: 14,
      retried: 0,
      failed: 1,
      outbox: { pending: 0, sending: 0, sent: 14, failed: 1 },
    })
    const failedId = idOf(made, refusedAddress)
    const delivered = new Map([...made.recipients].filter(([id]) => id !== failedId))
    expectDeliveredOnce(smtp.received, delivered)
    expect(smtp.attempts()).toBe(15)

    const rows = outboxRows(made.databasePath)
    const failed = rows.find((row) => row.id === failedId)
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, sentAt: null, leaseUntil: null })
    expect(failed?.lastError).toMatch(/^SMTP 550\b/)
    const localPart = refusedAddress.split('@')[0] as string
    expect(failed?.lastError).not.toContain(localPart)
    expect(failed?.lastError).not.toContain('example.jp')
    // The one line logged about it names the row, not the person.
    expect(result.stderr).toContain(`outbox message ${failedId} failed: SMTP 550`)
    expect(result.stderr).not.toContain(localPart)
    expect(rows.filter((row) => row.state === 'sent')).toHaveLength(14)
  })

  it('resends after SIGKILL mid-batch only what the server never accepted, once the lease ran out', async () => {
    const made = await population(100)
    let killedAt: number | undefined
    let senderExited = false
    let sender: ReturnType<typeof startSend> | undefined
    let held = false
    const smtp = await sink((attempt) => {
      // The first 29 are accepted; from the 30th on, every answer is held until this sender has
      // exited (not merely been signalled: SIGKILL lands a moment later, and a message finished in
      // that moment would otherwise be accepted), so nothing can be accepted just before it dies
      // (a message the server took but the sender never wrote down is the one window SMTP leaves
      // open; not tested here).
      if (attempt < 30 || senderExited) return { accept: true }
      if (!held) {
        held = true
        // Once the database shows every accepted message as sent, the sender dies.
        const sentInDatabase = () =>
          outboxRows(made.databasePath).filter((row) => row.state === 'sent').length
        const watch = setInterval(() => {
          if (smtp.received.length === 29 && sentInDatabase() === 29) {
            clearInterval(watch)
            killedAt = Date.now()
            sender?.child.kill('SIGKILL')
          }
        }, 5)
      }
      return { accept: true, delayMs: 20_000 }
    })

    sender = startSend(made, smtp, ['--once', '--lease-seconds', '1'])
    const killed = await sender.result
    senderExited = true
    expect(held).toBe(true)
    expect(killed.signal).toBe('SIGKILL')
    expect(killedAt).toBeDefined()

    // What the server accepted is marked sent; the held message and any not yet tried are still leased.
    const acceptedBefore = smtp.received.length
    expect(acceptedBefore).toBeGreaterThanOrEqual(29)
    expect(acceptedBefore).toBeLessThan(100)
    const afterKill = outboxRows(made.databasePath)
    const acceptedIds = new Set(smtp.received.map(outboxIdOf))
    expect(afterKill.filter((row) => row.state === 'sent').map((row) => row.id)).toEqual(
      afterKill.filter((row) => acceptedIds.has(row.id)).map((row) => row.id),
    )
    const unsent = afterKill.filter((row) => row.state !== 'sent')
    expect(unsent).toHaveLength(100 - acceptedBefore)
    expect(unsent.every((row) => row.state === 'sending' || row.state === 'pending')).toBe(true)
    const leased = unsent.filter((row) => row.state === 'sending')
    expect(leased.length).toBeGreaterThanOrEqual(1)

    const leaseEnds = Math.max(...leased.map((row) => row.leaseUntil ?? 0))
    await until(() => Date.now() > leaseEnds, 5_000, 'the lease to run out')
    const restarted = await sendOnce(made, smtp, ['--lease-seconds', '1'])
    expect(restarted).toEqual({
      sent: 100 - acceptedBefore,
      retried: 0,
      failed: 0,
      outbox: { pending: 0, sending: 0, sent: 100, failed: 0 },
    })
    expectDeliveredOnce(smtp.received, made.recipients)
    const rows = outboxRows(made.databasePath)
    expect(rows.every((row) => row.state === 'sent' && row.sealed === 0 && row.sentAt !== null)).toBe(true)
    // Those the dead sender had claimed (the held one among them) were claimed again after it.
    const leasedIds = new Set(leased.map((row) => row.id))
    for (const row of rows.filter((row) => leasedIds.has(row.id))) {
      expect(row.attempts, `outbox row ${row.id}`).toBeGreaterThanOrEqual(2)
    }
  })

  it('does not send a message twice when its lease runs out while it still waits its turn in the same sender', async () => {
    const made = await population(60)
    // Five connections and a 200 ms answer: at most 25 a second, so the batch outlasts a one-second
    // lease by far, and whatever is still queued when it runs out is due again.
    const smtp = await sink(() => ({ accept: true, delayMs: 200 }))

    const started = Date.now()
    const result = await sendOnce(made, smtp, ['--lease-seconds', '1'])
    expect(Date.now() - started).toBeGreaterThan(2_000)
    expect(result).toEqual({
      sent: 60,
      retried: 0,
      failed: 0,
      outbox: { pending: 0, sending: 0, sent: 60, failed: 0 },
    })
    expectDeliveredOnce(smtp.received, made.recipients)
    expect(smtp.attempts()).toBe(60)
  })

  it('lets two senders started together on one database deliver every message exactly once', async () => {
    const made = await population(300)
    // A short hold per message keeps both senders busy at the same time.
    const smtp = await sink(() => ({ accept: true, delayMs: 5 }))

    const [one, two] = await Promise.all([sendOnce(made, smtp), sendOnce(made, smtp)])
    expect((one?.sent ?? 0) + (two?.sent ?? 0)).toBe(300)
    expect(one?.retried).toBe(0)
    expect(two?.retried).toBe(0)
    expectDeliveredOnce(smtp.received, made.recipients)
    expect(smtp.attempts()).toBe(300)
    const rows = outboxRows(made.databasePath)
    expect(rows.every((row) => row.state === 'sent' && row.attempts === 1 && row.sealed === 0)).toBe(true)
  })
})

describe('the web server with SMTP_URL', () => {
  it('sends what is in the outbox on its own, without npm run send', async () => {
    ensureProductionBuild()
    const smtp = await sink()
    const secrets = testSecrets()
    const portal = await startPortal({
      env: {
        ...secrets,
        SMTP_URL: smtp.url,
        SMTP_RATE: '1000',
        SMTP_RETRY_MS: String(RETRY_MS),
        MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
      },
    })
    // Stopped before the sink closes: its pooled connections would hold the sink open.
    cleanups.push(portal.stop)

    const made = await population(40, { databasePath: portal.databasePath, secrets })
    expect(made.recipients.size).toBe(40)
    await smtp.waitFor(40, 20_000)
    await until(
      () => outboxRows(portal.databasePath).every((row) => row.state === 'sent'),
      5_000,
      'the server to mark every message sent',
    )
    expectDeliveredOnce(smtp.received, made.recipients)
    const rows = outboxRows(portal.databasePath)
    expect(rows.every((row) => row.sealed === 0 && row.sentAt !== null && row.attempts === 1)).toBe(true)
    expect(portal.output()).not.toMatch(/Outbox sender stopped|outbox message \d+ failed/)
  })
})
