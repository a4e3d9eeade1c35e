import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'

/** One message as the SMTP server accepted it. */
export type ReceivedMail = {
  from: string
  to: string[]
  /** The raw message: headers and body, as sent. */
  raw: string
  messageId: string | undefined
  subject: string | undefined
}

/**
 * What the server answers at the end of DATA for one message: accept it, or
 * refuse it with an SMTP reply (`responseCode` 4xx temporary, 5xx permanent).
 * `delayMs` holds the answer, so a test can act while a message is in flight.
 */
export type SinkDecision =
  | { accept: true; delayMs?: number }
  | { accept: false; responseCode: number; message: string }

export type SmtpSink = {
  url: string
  port: number
  /** Messages accepted, in order, counting only those whose sender was still there to hear the 250. */
  received: ReceivedMail[]
  /** How many DATA commands arrived, whatever the answer. */
  attempts: () => number
  /** Resolves once `count` messages were accepted. */
  waitFor: (count: number, timeoutMs?: number) => Promise<ReceivedMail[]>
  close: () => Promise<void>
}

/**
 * A real SMTP server on loopback (the smtp-server package), without TLS or
 * authentication, as a local relay would be.
 */
export async function startSmtpSink({
  decide = () => ({ accept: true }),
  keepRaw = true,
}: {
  /** Called once per message, with the number of DATA commands so far (1-based). */
  decide?: (attempt: number, mail: ReceivedMail) => SinkDecision
  /** The benchmark counts messages without keeping them. */
  keepRaw?: boolean
} = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  let attempts = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => {
        if (keepRaw) chunks.push(chunk)
      })
      stream.on('end', () => {
        attempts++
        const raw = Buffer.concat(chunks).toString('utf8')
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          messageId: header(raw, 'Message-ID'),
          subject: header(raw, 'Subject'),
        }
        const decision = decide(attempts, mail)
        if (!decision.accept) {
          const error = new Error(decision.message) as Error & { responseCode: number }
          error.responseCode = decision.responseCode
          callback(error)
          return
        }
        const answer = () => {
          // A sender that died before the answer never learns the message was taken: not delivered.
          if ((session as SMTPServerSession & { closed?: boolean }).closed) return
          received.push(keepRaw ? mail : { ...mail, raw: '' })
          for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve()
          callback(null, 'Message queued')
        }
        if (decision.delayMs) setTimeout(answer, decision.delayMs)
        else answer()
      })
    },
    onClose(session) {
      ;(session as SMTPServerSession & { closed?: boolean }).closed = true
    },
  })
  // A sender the test kills mid-message resets its connection: smtp-server reports that as an
  // 'error' event, which unheard would end the test run as an uncaught exception.
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    attempts: () => attempts,
    waitFor(count, timeoutMs = 30_000) {
      if (received.length >= count) return Promise.resolve(received)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`SMTP sink: ${received.length} of ${count} messages after ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve(received)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An unfolded header's value from a raw message. */
function header(raw: string, name: string) {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? ''
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}
