import argon2 from 'argon2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARGON2_PARAMETERS } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { signIn } from '~/accounts/sign-in.server'
import { findMemberByEmail } from '~db/member-accounts'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

const PASSWORD = 'quiet harbour lanterns drift'
let temp: TempDatabase
const portal = () => sqlitePortalDatabase(temp.db)

beforeAll(async () => {
  temp = await importedDatabase('sign-in-', {
    'members.csv': [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', email: 'current@example.jp' }),
      member({ member_id: 'M2', email: 'older@example.jp' }),
      member({ member_id: 'M3', email: 'never@example.jp' }),
    ],
  })
  const store = async (email: string, hash: string) => {
    const candidate = await findMemberByEmail(portal(), temp.crypto.lookup('email', email))
    temp.db.$client
      .prepare('update member_accounts set password_hash = ? where subject_id = ?')
      .run(hash, candidate?.subjectId)
  }
  await store('current@example.jp', await argon2.hash(PASSWORD, ARGON2_PARAMETERS))
  // As a hash made before the parameters were raised would be.
  await store(
    'older@example.jp',
    await argon2.hash(PASSWORD, { ...ARGON2_PARAMETERS, memoryCost: 8192, timeCost: 1 }),
  )
})

afterAll(() => {
  stopPasswordWork()
  temp?.remove()
})

const attempt = (email: string, password = PASSWORD) =>
  signIn({ db: portal(), crypto: temp.crypto, name: { kind: 'email', address: email }, password })
const attemptById = (memberId: string, password = PASSWORD) =>
  signIn({ db: portal(), crypto: temp.crypto, name: { kind: 'memberId', memberId }, password })
const storedHash = async (email: string) =>
  (await findMemberByEmail(portal(), temp.crypto.lookup('email', email)))?.passwordHash

describe('signing in with the new password', () => {
  it('admits the right password and refuses a wrong one', async () => {
    expect(await attempt('current@example.jp')).toMatchObject({ ok: true })
    expect(await attempt('current@example.jp', `${PASSWORD}!`)).toEqual({ ok: false })
  })

  it('reads the password as typed in full width too (NFKC)', async () => {
    expect(await attempt('current@example.jp', 'ｑｕｉｅｔ harbour lanterns drift')).toMatchObject({
      ok: true,
    })
  })

  it('admits the member ID with the right password, and refuses a wrong one, an unknown ID and an ID without a new password', async () => {
    expect(await attemptById('M1')).toMatchObject({ ok: true })
    expect(await attemptById('M1', `${PASSWORD}!`)).toEqual({ ok: false })
    expect(await attemptById('M999')).toEqual({ ok: false })
    expect(await attemptById('M3')).toEqual({ ok: false })
  })

  it('refuses unknown addresses and members with no new password yet', async () => {
    expect(await attempt('nobody@example.jp')).toEqual({ ok: false })
    expect(await attempt('never@example.jp')).toEqual({ ok: false })
  })

  it('replaces a hash made with older parameters on the way in, and only on success', async () => {
    const before = await storedHash('older@example.jp')
    expect(await attempt('older@example.jp', 'wrong password entirely')).toEqual({ ok: false })
    expect(await storedHash('older@example.jp')).toBe(before)
    expect(await attempt('older@example.jp')).toMatchObject({ ok: true })
    const after = (await storedHash('older@example.jp')) ?? ''
    expect(after).not.toBe(before)
    expect(after).toContain('m=19456')
    expect(await attempt('older@example.jp')).toMatchObject({ ok: true })
  })
})
