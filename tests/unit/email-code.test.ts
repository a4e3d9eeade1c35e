import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmailContent } from '~/mail/email-content.server'
import {
  checkEmailCode,
  EMAIL_CODE_TTL_MS,
  type EmailChallengeRef,
  requestEmailCode,
} from '~/verify/email-code.server'
import type { PortalDatabase } from '~db/client'
import { listOutbox } from '~db/outbox'
import type { PortalCrypto } from '~db/portal-crypto'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

const KNOWN = 'hanako@example.jp'
const UNKNOWN = 'nobody@example.jp'
const T0 = Date.UTC(2026, 3, 1, 1, 0, 0)

let temp: TempDatabase
let db: PortalDatabase
let crypto: PortalCrypto

beforeEach(async () => {
  temp = await importedDatabase('email-code-', {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: 'Hanako@Example.jp' })],
  })
  ;({ db, crypto } = temp)
})

afterEach(() => temp.remove())

function request(email: string, now = T0) {
  return requestEmailCode(
    { db, crypto, now },
    { email, displayEmail: email, language: 'ja', portalAddress: 'portal.example.jp' },
  )
}

/** The codes in the outbox, newest first, as the person reading their mail would see them. */
function sentCodes() {
  return listOutbox(db, crypto.keyring, { limit: 100 })
    .map((entry) => entry.content as EmailContent)
    .flatMap((content) => (content.kind === 'email_code' ? [content.input.code] : []))
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
const check = (ref: EmailChallengeRef, code: string, now = T0 + 1000) =>
  checkEmailCode({ db, crypto, now }, ref, code)

describe('e-mail codes', () => {
  it('are sent only to an address in the data, as a 6-digit code with no link', () => {
    request(KNOWN)
    request(UNKNOWN)
    const [entry, ...others] = listOutbox(db, crypto.keyring, { limit: 10 })
    expect(others).toEqual([])
    const content = entry?.content as EmailContent
    expect(content.kind).toBe('email_code')
    expect(content.to).toBe(KNOWN)
    expect(sentCodes()[0]).toMatch(/^\d{6}$/)
  })

  it('let the holder in once: the right code verifies, a second use does not', () => {
    const ref = request(KNOWN)
    const [code] = sentCodes()
    expect(check(ref, code as string)).toEqual({ ok: true, humanId: expect.any(Number) })
    expect(check(ref, code as string)).toEqual({ ok: false })
  })

  it('die after 10 minutes', () => {
    const ref = request(KNOWN)
    const [code] = sentCodes()
    expect(check(ref, code as string, T0 + EMAIL_CODE_TTL_MS + 1)).toEqual({ ok: false })
  })

  it('die after 5 wrong tries, even for the right code, and a new code does not reset the count', () => {
    const ref = request(KNOWN)
    const [code] = sentCodes()
    for (let i = 0; i < 5; i++) expect(check(ref, wrong(code as string))).toEqual({ ok: false })
    expect(check(ref, code as string)).toEqual({ ok: false })
    request(KNOWN, T0 + 2000)
    const [newer] = sentCodes()
    expect(check(ref, newer as string, T0 + 3000)).toEqual({ ok: false })
  })

  it('a new code kills the old one', () => {
    const ref = request(KNOWN)
    const [first] = sentCodes()
    request(KNOWN, T0 + 1000)
    const [second] = sentCodes()
    if (first !== second) expect(check(ref, first as string, T0 + 2000)).toEqual({ ok: false })
    expect(check(ref, second as string, T0 + 3000)).toEqual({ ok: true, humanId: expect.any(Number) })
  })

  it('never verify an address nobody holds, whatever is typed', () => {
    const ref = request(UNKNOWN)
    for (const code of ['000000', '123456', '999999']) expect(check(ref, code)).toEqual({ ok: false })
  })

  it('keep neither the address nor the code in the clear', () => {
    const ref = request(KNOWN)
    const [code] = sentCodes()
    expect(ref.target).toMatch(/^[0-9a-f]{32}$/)
    const stored = db.$client.prepare('select * from verification_challenges').all()
    expect(JSON.stringify(stored)).not.toContain(code as string)
    expect(JSON.stringify(stored)).not.toContain('hanako')
  })
})
