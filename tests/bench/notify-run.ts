import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { type EmailContent, renderEmail } from '~/mail/email-content.server'
import { createOutboxSender } from '~/mail/outbox-sender.server'
import { notifyEveryone } from '~/notify/notify.server'
import { openDatabase } from '~db/client'
import { listOutbox } from '~db/outbox'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * One timed phase of bench:notify, in a process of its own so that its peak
 * RSS is its own. Prints one JSON line: what it did, how long, and its RSS
 * when a tenth of the work was done and at the end (flat memory: about equal).
 */
const [phase, databasePath, smtpUrl = ''] = process.argv.slice(2)
const crypto = createPortalCrypto({
  dataKey: process.env.PORTAL_DATA_KEY as string,
  indexKey: process.env.PORTAL_INDEX_KEY as string,
})
const sqlite = openDatabase(databasePath as string)
const db = sqlitePortalDatabase(sqlite)
const SMTP = { maxConnections: 5, rate: 100_000 }

const rssMb = () => process.memoryUsage().rss / 1024 / 1024
let rssAtTenth = 0
const watchTenth = (done: () => number, total: number) =>
  setInterval(() => {
    if (!rssAtTenth && done() >= total / 10) rssAtTenth = rssMb()
  }, 200)

let started = performance.now()
let count = 0
if (phase === 'notify') {
  const total = Number(process.argv[5] ?? 0)
  const watch = watchTenth(() => count, total)
  const summary = await notifyEveryone({
    db,
    crypto,
    portalAddress: 'portal.example.jp',
    outputDirectory: mkdtempSync(join(tmpdir(), 'bench-notify-files-')),
    progress: {
      start: () => {},
      advance: (humans) => {
        count += humans
      },
      finish: () => {},
    },
  })
  clearInterval(watch)
  count = summary.humans
  report({ email: summary.email, postcard: summary.postcard, handout: summary.handout })
} else if (phase === 'send') {
  const total = Number(process.argv[5] ?? 0)
  const sender = createOutboxSender({
    db,
    keyring: crypto.keyring,
    smtpUrl,
    from: 'Sekaimon <no-reply@portal.example.jp>',
    rate: SMTP.rate,
    retryMs: 60_000,
    maxConnections: SMTP.maxConnections,
  })
  const watch = watchTenth(() => sender.tally().sent, total)
  const tally = await sender.drain()
  clearInterval(watch)
  await sender.stop()
  count = tally.sent
  report({ failed: tally.failed, retried: tally.retried })
} else if (phase === 'raw') {
  // The same messages as the outbox holds, rendered before the clock starts:
  // what one nodemailer pool sends when it has nothing else to do.
  const total = Number(process.argv[5] ?? 0)
  const samples = (await listOutbox(db, crypto.keyring, { limit: 1000 })).map((entry) =>
    renderEmail(entry.content as EmailContent),
  )
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: SMTP.maxConnections,
    maxMessages: 1000,
    rateLimit: SMTP.rate,
    rateDelta: 1000,
    disableFileAccess: true,
    disableUrlAccess: true,
  })
  started = performance.now()
  const watch = watchTenth(() => count, total)
  const inFlight = new Set<Promise<unknown>>()
  for (let i = 0; i < total; i++) {
    const email = samples[i % samples.length] as (typeof samples)[number]
    const sending: Promise<unknown> = transport
      .sendMail({
        from: 'Sekaimon <no-reply@portal.example.jp>',
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<raw-${i}@portal.example.jp>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      })
      .then(() => {
        count++
      })
      .finally(() => inFlight.delete(sending))
    inFlight.add(sending)
    if (inFlight.size >= 100) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  clearInterval(watch)
  transport.close()
  report({ renderedBeforehand: samples.length })
}
sqlite.$client.close()

function report(extra: Record<string, unknown>) {
  const seconds = (performance.now() - started) / 1000
  console.log(
    JSON.stringify({
      phase,
      count,
      seconds,
      rate: count / seconds,
      rssAtTenthMb: rssAtTenth,
      rssEndMb: rssMb(),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      ...extra,
    }),
  )
}
