import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  awayFromWindowEdge,
  importExport,
  mailTo,
  plainText,
  queuedEmails,
  Visitor,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalFilesHolding, portalRows, portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * People who were not affected get an answer: an e-mail check for an address
 * not in the data mails that address a short "not affected" notice, through
 * the outbox, within the per-address limits, and with the address kept only in
 * the sealed message until it is sent. NOTIFY_UNKNOWN_ADDRESSES=off sends
 * nothing to such an address. (That the page and its timing stay the same for
 * everyone is tests/http/anti-enumeration.test.ts.)
 */

const email = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/email.json`, import.meta.url), 'utf8'))
    .notAffected
const check = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/check.json`, import.meta.url), 'utf8'))

const KNOWN = 'hanako.known@example.jp'
const HOUR = 60 * 60 * 1000

const secrets = testSecrets()
let sink: SmtpSink
let on: PortalServer
let off: PortalServer

beforeAll(async () => {
  sink = await startSmtpSink()
  const env = { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' }
  ;[on, off] = await Promise.all([
    startPortal({ env }),
    startPortal({ env: { ...env, NOTIFY_UNKNOWN_ADDRESSES: 'off' } }),
  ])
  for (const portal of [on, off])
    await importExport(portal, secrets, {
      'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: KNOWN })],
    })
}, 90_000)

afterAll(async () => {
  await Promise.all([on?.stop(), off?.stop()])
  await sink?.close()
})

const notAffectedMail = (address: string, language: 'ja' | 'en' = 'ja') =>
  mailTo(sink, address, { accept: (mail) => plainText(mail.raw).includes(email(language).title) })

describe('an address not in the data', { timeout: 90_000 }, () => {
  it('is told it is not affected, in the language of the page, with the message check and the support desk', async () => {
    for (const language of ['ja', 'en'] as const) {
      const address = `nobody.${language}@example.jp`
      const visitor = new Visitor(on.url, { 'Accept-Language': language })
      const asked = await visitor.submit('/check/email', { email: address })
      expect(asked.status).toBe(303)
      const page = await visitor.get('/check/email/code')
      expect(page.body).toContain(check(language).emailCode.sentToAll)
      // Paragraphs are wrapped for mail: compared with their line breaks taken out.
      const text = plainText((await notAffectedMail(address, language)).raw).replace(
        /\s*\r?\n\s*/g,
        language === 'ja' ? '' : ' ',
      )
      // The page's language first, then the other.
      expect(text.indexOf(email(language).title)).toBeLessThan(
        text.indexOf(email(language === 'ja' ? 'en' : 'ja').title),
      )
      expect(text).toContain(email(language).notInData)
      expect(text).toContain('/message-check')
      expect(text).toContain(SUPPORT_EMAIL)
      expect(text).not.toMatch(/https?:\/\//)
    }
  })

  it('is kept only sealed in the outbox, in no one’s message, and dropped once sent', async () => {
    const address = 'nobody.sealed@example.jp'
    await new Visitor(on.url).submit('/check/email', { email: address })
    await notAffectedMail(address)
    // The sender marks it sent just after the sink accepts it.
    const rows = await portalRows<{ messageId: null; state: string; content: Buffer | null }>(
      on.databaseUrl,
      'select message_id as "messageId", state, content_sealed as content from outbox_messages where message_id is null',
    )
    expect(rows.length).toBeGreaterThan(0)
    // Nowhere in the clear: not in the database's files, nor in its write-ahead log.
    expect(await portalFilesHolding(on.databaseUrl, address)).toEqual([])
    const messages = await portalValue<number>(on.databaseUrl, 'select count(*) from messages')
    // Only the notices of the people in the data (none were sent here): no message for a stranger.
    expect(messages).toBe(0)
    await expect
      .poll(() =>
        portalValue<number>(
          on.databaseUrl,
          "select count(*) from outbox_messages where message_id is null and (state <> 'sent' or content_sealed is not null)",
        ),
      )
      .toBe(0)
  })

  it('gets no more than the per-address limit allows: 5 an hour, then 429 and nothing sent', async () => {
    await awayFromWindowEdge(HOUR, 60_000)
    const address = 'nobody.flooded@example.jp'
    const visitor = new Visitor(on.url)
    const before = await queuedEmails(on.databaseUrl)
    const statuses: number[] = []
    for (let i = 0; i < 7; i++)
      statuses.push((await visitor.submit('/check/email', { email: address })).status)
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429])
    expect((await queuedEmails(on.databaseUrl)) - before).toBe(5)
  })

  it('gets nothing with NOTIFY_UNKNOWN_ADDRESSES=off, and the page says only addresses in the data get a code', async () => {
    const address = 'nobody.off@example.jp'
    const visitor = new Visitor(off.url)
    const before = await queuedEmails(off.databaseUrl)
    expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
    const page = await visitor.get('/check/email/code')
    expect(page.body).toContain(check('ja').emailCode.sent)
    expect(page.body).not.toContain(check('ja').emailCode.sentToAll)
    expect(await queuedEmails(off.databaseUrl)).toBe(before)
    // The known address still gets its code.
    const known = new Visitor(off.url)
    const from = sink.received.length
    await known.submit('/check/email', { email: KNOWN })
    await mailTo(sink, KNOWN, { from })
    expect(sink.received.some((mail) => mail.to.includes(address))).toBe(false)
  })
})
