import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailCodeOf, mailTo, Visitor } from '../support/check-visitor'
import { memberAddress, type NotifiedPopulation, notifiedPopulation } from '../support/notified-population'
import { portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * One-time codes before the mass notice, over real HTTP against the built
 * server: its own sender drains an outbox of 10,000 notices into a real SMTP
 * server at a real `SMTP_RATE`, and a code asked for meanwhile overtakes them.
 */

const NOTICES = 10_000
/** Messages a second (the default SMTP_RATE): the 10,000 notices would take over eight minutes. */
const RATE = 20
/** A code must arrive within this, while the notices ahead of it would need minutes. */
const CODE_WITHIN_MS = 20_000

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer
let population: NotifiedPopulation

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: String(RATE) } })
  // Imported and notified by the real commands into the server's database while its sender runs.
  population = await notifiedPopulation({ count: NOTICES, databaseUrl: portal.databaseUrl, secrets })
}, 240_000)

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
  population?.remove()
})

const pendingNotices = async () =>
  (await portalValue<number>(
    portal.databaseUrl,
    `select count(*) from outbox_messages o join messages m on m.id = o.message_id
     where m.purpose = 'notification' and o.state <> 'sent'`,
  )) ?? 0

describe('mail priority', { timeout: 120_000 }, () => {
  it('delivers an e-mail code within seconds while 10,000 notices queued before it still drain', async () => {
    // The last member notified: under first-in-first-out their code would wait behind every notice.
    const address = memberAddress(NOTICES - 1)
    expect(await pendingNotices()).toBeGreaterThan(NOTICES / 2)
    const visitor = new Visitor(portal.url)
    const from = sink.received.length
    const asked = await visitor.submit('/check/email', { email: address })
    expect(asked.status).toBe(303)
    const askedAt = Date.now()

    const mail = await mailTo(sink, address, {
      from,
      accept: (m) => emailCodeOf(m) !== undefined,
      timeoutMs: CODE_WITHIN_MS,
    })
    const arrivedAfter = Date.now() - askedAt
    const position = sink.received.indexOf(mail)
    const overtaken = await pendingNotices()

    // It went out ahead of the queue: a few seconds of notices (those already in flight) before it,
    // thousands still waiting, the member's own notice among them.
    expect(arrivedAfter).toBeLessThan(CODE_WITHIN_MS)
    expect(position - from).toBeLessThan(10 * RATE)
    expect(overtaken).toBeGreaterThan(NOTICES / 2)
    expect(sink.received.filter((m) => m.to.includes(address))).toEqual([mail])

    // And it works: the code proves who they are while the notices are still going out.
    const verified = await visitor.post('/check/email/code', {
      csrf: visitor.csrf ?? '',
      code: emailCodeOf(mail) ?? '',
    })
    expect(verified.status).toBe(303)
    expect(verified.location).toBe('/exposure')
  })
})
