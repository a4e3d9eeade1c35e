import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import { checkLetterCode, LETTER_CODE_LOCK_AFTER } from '~/verify/letter-code-check.server'
import type { SqliteDatabase } from '~db/client'
import {
  addIdentityConfirmation,
  hasActiveIdentityConfirmation,
  IDENTITY_CONFIRMATION_MS,
} from '~db/identity-confirmations'
import { listLetterCodeUses } from '~db/letter-codes'
import { listOutbox } from '~db/outbox'
import type { PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

let temp: TempDatabase
let db: SqliteDatabase
let crypto: PortalCrypto
let memberCode: string
let staffCode: string

beforeEach(async () => {
  temp = await importedDatabase('letter-code-', {
    'members.csv': [
      MEMBER_COLUMNS,
      member({
        member_id: 'M1',
        email: 'hanako@example.jp',
        birth_date: '1985-04-01',
        phone: '090-1234-5678',
      }),
    ],
    'warehouse_staff.csv': [
      ['staff_id', 'family_name', 'given_name'],
      ['W000001', '標本', '誠'],
    ],
  })
  ;({ db, crypto } = temp)
  const directory = temp.directory
  const handouts = join(directory, 'handouts.csv')
  await notifyEveryone({
    db: sqlitePortalDatabase(db),
    crypto,
    portalAddress: 'portal.example.jp',
    outputDirectory: directory,
    handoutsPath: handouts,
  })
  const [email] = await listOutbox(sqlitePortalDatabase(db), crypto.keyring, { limit: 1 })
  if (!email) throw new Error('the member was not e-mailed')
  memberCode = ((email.content as EmailContent).input as { letterCode: string }).letterCode
  const [handout] = parse(readFileSync(handouts), { bom: true, columns: true }) as { letter_code: string }[]
  staffCode = handout?.letter_code as string
})

afterEach(() => temp.remove())

const LAST_DAY = '2026-07-22'
const check = (code: string, proof: string, now = Date.parse('2026-07-22T23:59:59+09:00')) =>
  checkLetterCode({ db: sqlitePortalDatabase(db), crypto, now, validUntil: LAST_DAY }, { code, proof })

/** One symbol changed: the check symbol notices. */
function typo(code: string) {
  const first = code[0] === '7' ? '8' : '7'
  return first + code.slice(1)
}

describe('checking a letter code', () => {
  it.each([
    ['birth date', '1985/4/1'],
    ['birth date in Japanese', '昭和60年4月1日'],
    ['phone', '０９０ー１２３４ー５６７８'],
  ])('lets a member in with the code and their %s', async (_what, proof) => {
    expect(await check(memberCode, proof)).toEqual({ ok: true, humanId: expect.any(Number) })
  })

  it('accepts the code in any case, without hyphens, in full width', async () => {
    const typed = memberCode
      .toLowerCase()
      .replaceAll('-', ' ')
      .replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
    expect((await check(typed, '1985-04-01')).ok).toBe(true)
  })

  it('lets warehouse staff in with their staff ID', async () => {
    expect((await check(staffCode, 'w000001')).ok).toBe(true)
  })

  it('does not take a member ID as proof', async () => {
    expect(await check(memberCode, 'M1')).toEqual({ ok: false, reason: 'no_match' })
  })

  it('works again on later visits, each use recorded', async () => {
    expect((await check(memberCode, '1985-04-01')).ok).toBe(true)
    expect((await check(memberCode, '1985-04-01')).ok).toBe(true)
    const notifications = db.$client
      .prepare('select distinct notification_id from letter_code_uses')
      .pluck()
      .all() as number[]
    expect(notifications).toHaveLength(1)
    expect(await listLetterCodeUses(sqlitePortalDatabase(db), notifications[0] as number)).toHaveLength(2)
  })

  it('forgives wrong second factors before a right one: the lock counts failures in a row', async () => {
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER - 1; i++)
      expect((await check(memberCode, '2000-01-01')).ok).toBe(false)
    expect((await check(memberCode, '1985-04-01')).ok).toBe(true)
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER - 1; i++)
      expect((await check(memberCode, '2000-01-01')).ok).toBe(false)
    expect((await check(memberCode, '1985-04-01')).ok).toBe(true)
  })

  it('ends with the last day, Japan time, for every well-formed code, known or not', async () => {
    const nextDay = Date.parse('2026-07-23T00:00:00+09:00')
    expect(await check(memberCode, '1985-04-01', nextDay)).toEqual({ ok: false, reason: 'expired' })
    expect(await check('0000-0000-0000-0', '1985-04-01', nextDay)).toEqual({ ok: false, reason: 'expired' })
    expect(await check(typo(memberCode), '1985-04-01', nextDay)).toEqual({
      ok: false,
      reason: 'check_the_code',
    })
  })

  it('sends a member who has set a new password to sign in, with their member ID', async () => {
    db.$client.prepare("update member_accounts set password_hash = '$argon2id$stand-in'").run()
    expect(await check(memberCode, '1985-04-01')).toEqual({
      ok: false,
      reason: 'sign_in_instead',
      memberId: 'M1',
    })
  })

  it('catches a typo before any lookup, without counting it', async () => {
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER + 2; i++) {
      expect(await check(typo(memberCode), '1985-04-01')).toEqual({ ok: false, reason: 'check_the_code' })
    }
    expect((await check(memberCode, '1985-04-01')).ok).toBe(true)
  })

  it(`locks after ${LETTER_CODE_LOCK_AFTER} wrong second factors, then says so whatever the second factor`, async () => {
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER; i++) {
      expect(await check(memberCode, '2000-01-01')).toEqual({ ok: false, reason: 'no_match' })
    }
    expect(await check(memberCode, '1985-04-01')).toEqual({ ok: false, reason: 'locked' })
    expect(await check(memberCode, '2000-01-01')).toEqual({ ok: false, reason: 'locked' })
  })

  it('answers an unknown code exactly as a wrong proof', async () => {
    expect(await check('0000-0000-0000-0', '1985-04-01')).toEqual({ ok: false, reason: 'no_match' })
  })
})

describe('a call-back confirmation in place of the second factor', () => {
  const NOW = Date.parse('2026-07-20T12:00:00+09:00')
  const humanOf = async (code: string) => {
    const result = await check(code, '1985-04-01', NOW)
    if (!result.ok) throw new Error('the member could not check in')
    return result.humanId
  }
  const confirm = (humanId: number, at = NOW - 60_000) =>
    addIdentityConfirmation(sqlitePortalDatabase(db), crypto.keyring, {
      humanId,
      staffId: 'S0000000001',
      reason: 'elderly-caller',
      now: new Date(at),
    })
  const uses = () => db.$client.prepare('select count(*) from letter_code_uses').pluck().get() as number
  const failures = () =>
    db.$client.prepare('select sum(letter_code_failures) from notifications').pluck().get() as number

  it('lets the code in with the second factor left empty, once, each use recorded', async () => {
    const human = await humanOf(memberCode)
    await confirm(human)
    const before = uses()
    expect(await check(memberCode, '', NOW)).toEqual({ ok: true, humanId: human })
    expect(uses()).toBe(before + 1)
    expect(await check(memberCode, '  ', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(uses()).toBe(before + 1)
    // The code and a right second factor go on working as before.
    expect((await check(memberCode, '1985-04-01', NOW)).ok).toBe(true)
  })

  it('does not stand in after seven days', async () => {
    const human = await humanOf(memberCode)
    await confirm(human, NOW - IDENTITY_CONFIRMATION_MS)
    expect(await check(memberCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(
      await hasActiveIdentityConfirmation(sqlitePortalDatabase(db), { humanId: human, now: new Date(NOW) }),
    ).toBe(false)
  })

  it('does not open a locked code, and is not spent on it', async () => {
    const human = await humanOf(memberCode)
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER; i++) await check(memberCode, '2000-01-01', NOW)
    expect(await check(memberCode, '1985-04-01', NOW)).toEqual({ ok: false, reason: 'locked' })
    await confirm(human)
    expect(await check(memberCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(
      await hasActiveIdentityConfirmation(sqlitePortalDatabase(db), { humanId: human, now: new Date(NOW) }),
    ).toBe(true)
  })

  it('sends a member with a new password to sign in, the confirmation spent as a right second factor would be', async () => {
    await confirm(await humanOf(memberCode))
    db.$client.prepare("update member_accounts set password_hash = '$argon2id$stand-in'").run()
    expect(await check(memberCode, '', NOW)).toEqual({ ok: false, reason: 'sign_in_instead', memberId: 'M1' })
    expect(await check(memberCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
  })

  it('answers an unknown code, a known one without a confirmation and a locked one alike, counting nothing', async () => {
    expect(await check('0000-0000-0000-0', '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(await check(memberCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(await check(staffCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(failures()).toBe(0)
    for (let i = 0; i < LETTER_CODE_LOCK_AFTER; i++) await check(staffCode, 'W999999', NOW)
    expect(await check(staffCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    // Another human's confirmation opens nothing for this code.
    await confirm(await humanOf(memberCode))
    expect(await check(staffCode, '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
    expect(await check('0000-0000-0000-0', '', NOW)).toEqual({ ok: false, reason: 'proof_required' })
  })
})
