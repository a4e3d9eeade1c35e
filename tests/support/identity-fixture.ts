import { afterAll, beforeAll } from 'vitest'
import { type BrowserSession, openBrowser, settleAll } from './browser'
import { plainTextOf } from './mail-decoding'
import { memberAddress, type NotifiedPopulation, notifiedPopulation } from './notified-population'
import { type PortalServer, startPortal } from './portal-server'
import { type ReceivedMail, type SmtpSink, startSmtpSink } from './smtp-sink'

/** A letter code as notices print it: 13 Crockford symbols in groups of 4, 4, 4 and 1. */
export const LETTER_CODE =
  /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]/

/** One member of the data: what they would know and what their notice e-mail told them. */
export type Person = {
  email: string
  /** As `member()` files it. */
  birthDate: string
  letterCode: string
}

export type IdentityPortal = {
  readonly portal: PortalServer
  readonly sink: SmtpSink
  readonly people: readonly Person[]
  readonly withJavaScript: BrowserSession
  readonly withoutJavaScript: BrowserSession
  /** The confirmation codes e-mailed to `address` so far, oldest first. */
  emailCodes: (address: string) => string[]
  /** Waits for the confirmation code e-mailed to `address` after the first `seen` ones. */
  nextEmailCode: (address: string, seen: number) => Promise<string>
}

/**
 * One built portal whose database holds `people` notified members (imported
 * and notified by the real commands), sending its mail to a real SMTP server on
 * loopback, and two Chromium profiles (JavaScript on and off), all started
 * before the file's tests and closed after them. The portal's background
 * sender delivers the notice e-mails first; each person's letter code is read
 * from theirs.
 */
export function startIdentityPortal({ people: count }: { people: number }): IdentityPortal {
  let population: NotifiedPopulation | undefined
  let sink: SmtpSink | undefined
  let portal: PortalServer | undefined
  let withJavaScript: BrowserSession | undefined
  let withoutJavaScript: BrowserSession | undefined
  let people: Person[] | undefined
  const started = <T>(value: T | undefined) => {
    if (value === undefined) throw new Error('the identity fixture is used before it started')
    return value
  }

  const startServers = async () => {
    // Each kept as soon as it exists, so afterAll closes it even when the other failed.
    await settleAll(
      notifiedPopulation({ count }).then((filled) => {
        population = filled
      }),
      startSmtpSink().then((opened) => {
        sink = opened
      }),
    )
    const filled = started(population)
    const smtp = started(sink)
    portal = await startPortal({
      env: {
        ...filled.secrets,
        DATABASE_URL: filled.databasePath,
        SMTP_URL: smtp.url,
        SMTP_RATE: '1000',
        MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
      },
    })
    const notices = await waitForMail(smtp, count, (mail) => LETTER_CODE.test(readText(mail)), 30_000)
    people = Array.from({ length: count }, (_, i) => {
      const email = memberAddress(i)
      const notice = notices.find((mail) => mail.to.includes(email))
      const letterCode = notice ? readText(notice).match(LETTER_CODE)?.[0] : undefined
      if (!letterCode) throw new Error(`no notice with a letter code reached ${email}`)
      // member()'s default birth date: every member of notifiedPopulation has it.
      return { email, birthDate: '1980-05-06', letterCode }
    })
  }

  beforeAll(
    () =>
      settleAll(
        startServers(),
        openBrowser().then((opened) => {
          withJavaScript = opened
        }),
        openBrowser({ javaScriptEnabled: false }).then((opened) => {
          withoutJavaScript = opened
        }),
      ),
    120_000,
  )
  afterAll(async () => {
    try {
      await settleAll(portal?.stop(), sink?.close(), withJavaScript?.close(), withoutJavaScript?.close())
    } finally {
      population?.remove()
    }
  })

  const emailCodes = (address: string) =>
    started(sink)
      .received.filter((mail) => mail.to.includes(address))
      .flatMap((mail) => {
        const code = readText(mail).match(/^ {4}(\d{6})\r?$/m)?.[1]
        return code ? [code] : []
      })
  return {
    get portal() {
      return started(portal)
    },
    get sink() {
      return started(sink)
    },
    get people() {
      return started(people)
    },
    get withJavaScript() {
      return started(withJavaScript)
    },
    get withoutJavaScript() {
      return started(withoutJavaScript)
    },
    emailCodes,
    async nextEmailCode(address, seen) {
      const deadline = Date.now() + 20_000
      for (;;) {
        const code = emailCodes(address)[seen]
        if (code) return code
        if (Date.now() > deadline) throw new Error(`no confirmation code reached ${address} in 20 s`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
  }
}

async function waitForMail(
  sink: SmtpSink,
  count: number,
  matches: (mail: ReceivedMail) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = sink.received.filter(matches)
    if (found.length >= count) return found
    if (Date.now() > deadline)
      throw new Error(`SMTP sink: ${found.length} of ${count} e-mails in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The decoded text of every `text/plain` part of a message, joined. */
export function readText(mail: ReceivedMail) {
  return plainTextOf(mail.raw)
}
