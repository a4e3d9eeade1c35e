import { startSmtpSink } from '../support/smtp-sink'

/**
 * The benchmark's SMTP server, in a process of its own: it accepts every
 * message, keeps only a count, and reports it when asked over IPC.
 */
const sink = await startSmtpSink({ keepRaw: false })
process.send?.({ url: sink.url })
process.on('message', (message: { ask?: 'count' | 'close' }) => {
  if (message.ask === 'count') process.send?.({ count: sink.received.length })
  if (message.ask === 'close') void sink.close().then(() => process.exit(0))
})
