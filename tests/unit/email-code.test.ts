import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmailContent } from '~/mail/email-content.server'
import {
  checkEmailCode,
  EMAIL_CODE_LIFETIME_FAILURES,
  EMAIL_CODE_MAX_FAILURES,
  EMAIL_CODE_TTL_MS,
  type EmailChallengeRef,
  emailCodeState,
  requestEmailCode,
} from '~/verify/email-code.server'
import type { SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { listOutbox } from '~db/outbox'
import type { PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { deleteExpiredChallenges } from '~db/verification'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

const KNOWN = 'hanako@example.jp'
const UNKNOWN = 'nobody@example.jp'
const T0 = Date.UTC(2026, 3, 1, 1, 0, 0)

let temp: TempDatabase
let db: SqliteDatabase
/** The same connection as the portal uses it. */
let portal: PortalDatabase
let crypto: PortalCrypto

beforeEach(async () => {
  temp = await importedDatabase('email-code-', {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: 'Hanako@Example.jp' })],
  })
  ;({ db, crypto } = temp)
  portal = sqlitePortalDatabase(db)
})

afterEach(() => temp.remove())

function request(email: string, now = T0, notifyUnknown = false) {
  return requestEmailCode(
    { db: portal, crypto, now },
    { email, displayEmail: email, language: 'ja', portalAddress: 'portal.example.jp', notifyUnknown },
  )
}

/** The codes in the outbox, newest first, as the person reading their mail would see them. */
async function sentCodes() {
  return (await listOutbox(portal, crypto.keyring, { limit: 100 }))
    .map((entry) => entry.content as EmailContent)
    .flatMap((content) => (content.kind === 'email_code' ? [content.input.code] : []))
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const check = (ref: EmailChallengeRef, code: string, now = T0 + 1000) =>
  checkEmailCode({ db: portal, crypto, now }, ref, code)

describe('e-mail codes', () => {
  it('are sent only to an address in the data, as a 6-digit code with no link', async () => {
    await request(KNOWN)
    await request(UNKNOWN)
    const [entry, ...others] = await listOutbox(portal, crypto.keyring, { limit: 10 })
    expect(others).toEqual([])
    const content = entry?.content as EmailContent
    expect(content.kind).toBe('email_code')
    expect(content.to).toBe(KNOWN)
    expect((await sentCodes())[0]).toMatch(/^\d{6}$/)
  })

  it('tell an address nobody holds that it is not affected, with no message record and the address only sealed', async () => {
    await request(UNKNOWN, T0, true)
    const [entry, ...others] = await listOutbox(portal, crypto.keyring, { limit: 10 })
    expect(others).toEqual([])
    expect(entry?.content).toEqual({
      kind: 'not_affected',
      to: UNKNOWN,
      input: { language: 'ja', portalAddress: 'portal.example.jp' },
    })
    const raw = db.$client.prepare('select message_id, content_sealed from outbox_messages').get() as {
      message_id: number | null
      content_sealed: Buffer
    }
    expect(raw.message_id).toBeNull()
    expect(raw.content_sealed.includes(Buffer.from(UNKNOWN))).toBe(false)
    expect(db.$client.prepare('select count(*) as n from messages').get()).toEqual({ n: 0 })
    // A known address still gets its code, switched on or not.
    await request(KNOWN, T0, true)
    expect((await sentCodes())[0]).toMatch(/^\d{6}$/)
  })

  it('let the holder in once: the right code verifies, a second use does not', async () => {
    const ref = await request(KNOWN)
    const [code] = await sentCodes()
    expect(await check(ref, code as string)).toEqual({ ok: true, humanId: expect.any(Number) })
    expect(await check(ref, code as string)).toEqual({ ok: false, reason: 'expired' })
  })

  it('die after 10 minutes', async () => {
    const ref = await request(KNOWN)
    const [code] = await sentCodes()
    expect(await check(ref, code as string, T0 + EMAIL_CODE_TTL_MS + 1)).toEqual({
      ok: false,
      reason: 'expired',
    })
  })

  it('die after 5 wrong tries, even for the right code, and a new code brings 5 fresh tries', async () => {
    const ref = await request(KNOWN)
    const [code] = await sentCodes()
    for (let i = 0; i < 4; i++)
      expect(await check(ref, wrong(code as string))).toEqual({ ok: false, reason: 'wrong' })
    expect(await check(ref, wrong(code as string))).toEqual({ ok: false, reason: 'spent' })
    expect(await check(ref, code as string)).toEqual({ ok: false, reason: 'spent' })
    expect(await emailCodeState({ db: portal, crypto, now: T0 + 1000 }, ref)).toBe('spent')
    // Someone who burnt the tries cannot refuse the owner's next code.
    await request(KNOWN, T0 + 2000)
    const [newer] = await sentCodes()
    expect(await check(ref, newer as string, T0 + 3000)).toEqual({ ok: true, humanId: expect.any(Number) })
  })

  it(`close for good after ${EMAIL_CODE_LIFETIME_FAILURES} wrong tries in a row across codes, known or not`, async () => {
    for (const address of [KNOWN, UNKNOWN]) {
      let ref = await request(address)
      let at = T0
      const tick = () => {
        at += 1000
        return at
      }
      const reasons: string[] = []
      for (let i = 0; i < EMAIL_CODE_LIFETIME_FAILURES; i++) {
        if (i > 0 && i % EMAIL_CODE_MAX_FAILURES === 0) ref = await request(address, tick())
        const result = await check(ref, '000000', tick())
        if (!result.ok) reasons.push(result.reason)
      }
      // Each code: 4 times wrong, then spent; the very last try closes the address.
      expect(reasons.filter((reason) => reason === 'spent')).toHaveLength(
        EMAIL_CODE_LIFETIME_FAILURES / 5 - 1,
      )
      expect(reasons.at(-1)).toBe('closed')
      const mailed = (await sentCodes()).length
      ref = await request(address, tick())
      expect(await sentCodes()).toHaveLength(mailed)
      expect(await check(ref, '000000', tick())).toEqual({ ok: false, reason: 'closed' })
      expect(await emailCodeState({ db: portal, crypto, now: at }, ref)).toBe('closed')
    }
  })

  it('forget the wrong tries in a row once the address proves itself', async () => {
    let ref = await request(KNOWN)
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < EMAIL_CODE_MAX_FAILURES; j++)
        await check(ref, wrong((await sentCodes())[0] as string))
      ref = await request(KNOWN, T0 + (i + 1) * 1000)
    }
    expect(await check(ref, (await sentCodes())[0] as string, T0 + 5000)).toMatchObject({ ok: true })
    await request(KNOWN, T0 + 6000)
    const row = db.$client
      .prepare('select failures, consecutive_failures as c from verification_challenges')
      .get()
    expect(row).toEqual({ failures: 0, c: 0 })
  })

  it('are purged once expired, unless their wrong tries in a row still count toward the cap', async () => {
    await request(KNOWN)
    const ref = await request(UNKNOWN)
    await check(ref, '000000')
    const count = () => db.$client.prepare('select count(*) from verification_challenges').pluck().get()
    expect(await deleteExpiredChallenges(portal, T0 + EMAIL_CODE_TTL_MS - 1)).toBe(0)
    expect(await deleteExpiredChallenges(portal, T0 + EMAIL_CODE_TTL_MS)).toBe(1)
    expect(count()).toBe(1)
    expect(await emailCodeState({ db: portal, crypto, now: T0 + EMAIL_CODE_TTL_MS }, ref)).toBe('expired')
  })

  it('a new code kills the old one', async () => {
    const ref = await request(KNOWN)
    const [first] = await sentCodes()
    await request(KNOWN, T0 + 1000)
    const [second] = await sentCodes()
    if (first !== second)
      expect(await check(ref, first as string, T0 + 2000)).toEqual({ ok: false, reason: 'wrong' })
    expect(await check(ref, second as string, T0 + 3000)).toEqual({ ok: true, humanId: expect.any(Number) })
  })

  it('never verify an address nobody holds, whatever is typed', async () => {
    const ref = await request(UNKNOWN)
    for (const code of ['000000', '123456', '999999'])
      expect(await check(ref, code)).toEqual({ ok: false, reason: 'wrong' })
  })

  it('keep neither the address nor the code in the clear', async () => {
    const ref = await request(KNOWN)
    const [code] = await sentCodes()
    expect(ref.target).toMatch(/^[0-9a-f]{32}$/)
    const stored = db.$client.prepare('select * from verification_challenges').all()
    expect(JSON.stringify(stored)).not.toContain(code as string)
    expect(JSON.stringify(stored)).not.toContain('hanako')
  })
})
