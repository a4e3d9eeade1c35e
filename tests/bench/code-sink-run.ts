import { plainTextOf } from '../support/mail-decoding'
import { startSmtpSink } from '../support/smtp-sink'

/**
 * bench:load's SMTP server, in a process of its own: it accepts every
 * message and keeps, by recipient, the last 6-digit code one carried, so a
 * session of the load can read the code it asked for, as a member reads it.
 * Answers a code (or null) and the message count over IPC.
 */
const codes = new Map<string, string>()
const sink = await startSmtpSink({
  decide: (_attempt, mail) => {
    const code = plainTextOf(mail.raw).match(/^ {4}(\d{6})\s*$/m)?.[1]
    if (code) for (const to of mail.to) codes.set(to.toLowerCase(), code)
    return { accept: true }
  },
})
process.send?.({ url: sink.url })
process.on('message', (message: { ask?: 'code' | 'count' | 'close'; to?: string; id?: number }) => {
  if (message.ask === 'code') {
    const to = (message.to ?? '').toLowerCase()
    const code = codes.get(to) ?? null
    codes.delete(to)
    process.send?.({ id: message.id, code })
  }
  if (message.ask === 'count') process.send?.({ id: message.id, count: sink.received.length })
  // Only what the load needs is kept: the raw messages would grow with every code sent.
  if (message.ask === 'close') void sink.close().then(() => process.exit(0))
})
setInterval(() => sink.received.splice(0, sink.received.length), 1000).unref()
