import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARGON2_PARAMETERS } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { memberReadiness } from '~/accounts/readiness.server'
import { signIn } from '~/accounts/sign-in.server'
import { newMessageReference, readMessageReference } from '~/codes/message-reference.server'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import { newReturnReference } from '~/returns/return-reference.server'
import { askForStatusCode, openReturnStatus, type StatusLookup } from '~/returns/return-status.server'
import { staffOwningCase } from '~/staff/case-access.server'
import { type CaseSearchKind, readCaseKey } from '~/staff/case-search-form.server'
import { newRecoveryCodes, recoveryCodeHash } from '~/staff/recovery-codes.server'
import { giveSecondFactor } from '~/staff/staff-second-factor.server'
import { createStaffSessionStore } from '~/staff/staff-session.server'
import { signInStaff } from '~/staff/staff-sign-in.server'
import { checkEmailCode } from '~/verify/email-code.server'
import { askForEmailCode, checkPendingEmailCode } from '~/verify/email-code-request.server'
import { checkLetterCode } from '~/verify/letter-code-check.server'
import { checkMessage } from '~/verify/message-check.server'
import { findCaseHumanIds } from '~db/case-search'
import type { SqliteDatabase } from '~db/client'
import { cryptoForDatabase, indexKeyState } from '~db/index-key-rotation'
import { replaceNotice } from '~db/notice-resends'
import { createNotificationWriter, MessageReferenceTaken } from '~db/notifications'
import { listOutbox } from '~db/outbox'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { createDraft } from '~db/return-drafts'
import { fileDraftAsRequest } from '~db/return-requests'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { replaceRecoveryCodes } from '~db/staff-factors'
import { findHumanIdByEmail } from '~db/subjects'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { hmacSuiteCrypto } from '../support/hmac-suite'
import { importedDatabase, type TempDatabase } from '../support/temp-database'
import { createTestAgent } from '../support/test-staff'

/**
 * Index-key rotation, the lookups' side: a database whose every digest was
 * made under index key A, read by a portal restarted with key B current and
 * A previous, before any digest is recomputed. Every kind of lookup still
 * finds its row; a portal with B alone finds none of them. The same again for
 * the upgrade to the BLAKE2b suite: digests made by HMAC-SHA256 under key A,
 * read by a portal with key A alone, as the database says to (`cryptoForDatabase`).
 */

type Scenario = {
  /** The keys the database is written with, from fresh ones under key A. */
  written: (fresh: PortalCrypto) => PortalCrypto
  /** The portal reading it before anything is recomputed, and one that finds nothing. */
  reading: (
    db: SqliteDatabase,
    written: PortalCrypto,
  ) => Promise<{ rotating: PortalCrypto; newOnly: PortalCrypto }>
}

const SCENARIOS: [string, Scenario][] = [
  [
    'a portal restarted with a new index key and the old one as previous',
    {
      written: (fresh) => fresh,
      reading: async (_db, written) => {
        const { dataKey, indexKey } = written.secrets
        const keyB = randomBytes(32).toString('base64')
        return {
          rotating: createPortalCrypto({ dataKey, indexKey: keyB, previousIndexKey: indexKey }),
          newOnly: createPortalCrypto({ dataKey, indexKey: keyB }),
        }
      },
    },
  ],
  [
    'a portal upgraded from HMAC-SHA256 digests to BLAKE2b, same key',
    {
      written: hmacSuiteCrypto,
      reading: async (db, written) => {
        // As the previous version recorded it on the database's first open.
        await indexKeyState(sqlitePortalDatabase(db), written)
        const { dataKey, indexKey } = written.secrets
        const configured = createPortalCrypto({ dataKey, indexKey })
        return {
          rotating: await cryptoForDatabase(sqlitePortalDatabase(db), configured),
          newOnly: configured,
        }
      },
    },
  ],
]

const SIGNED_UP = 'hanako@example.jp'
const NOTIFIED = 'taro@example.jp'
const RETURNS = 'returns-customer@example.jp'
const PASSWORD = 'quiet harbour lanterns drift'
const NOW = Date.UTC(2026, 11, 4, 9, 0, 0)
const CLIENT_IP = Buffer.alloc(16, 7)
const OPTIONS = { language: 'ja', portalAddress: 'portal.example.jp', notifyUnknown: false } as const

let temp: TempDatabase
let db: SqliteDatabase
/** The crypto everything was written with: index key A. */
let underA: PortalCrypto
/** The portal restarted for a rotation: B current, A previous. */
let rotating: PortalCrypto
/** The portal with B alone, as if A had been dropped before anything was recomputed. */
let newOnly: PortalCrypto
let staff: { id: string; enrolmentPassword: string }
let letterCode: string
let messageReference: string

/** What was mailed, newest first. */
const mailed = async () =>
  (await listOutbox(sqlitePortalDatabase(db), underA.keyring, { limit: 100 })).map(
    (entry) => entry.content as EmailContent,
  )

/** The code in the newest mail. */
async function lastCode() {
  const input = (await mailed())[0]?.input as { code?: string } | undefined
  if (!input?.code) throw new Error('no code was mailed')
  return input.code
}

describe.each(SCENARIOS)('%s', (_name, scenario) => {
  beforeAll(async () => {
    temp = await importedDatabase(
      'index-key-lookups-',
      {
        'members.csv': [
          MEMBER_COLUMNS,
          member({
            member_id: 'M1',
            email: SIGNED_UP,
            phone: '090-1234-5678',
            family_name_kana: 'ミホン',
            birth_date: '1985-04-01',
          }),
          member({ member_id: 'M2', email: NOTIFIED, family_name_kana: 'ツウチ', birth_date: '1970-01-02' }),
        ],
      },
      scenario.written,
    )
    db = temp.db
    underA = temp.crypto
    ;({ rotating, newOnly } = await scenario.reading(db, underA))

    const signedUp = await findHumanIdByEmail(sqlitePortalDatabase(db), underA.lookup('email', SIGNED_UP))
    db.$client
      .prepare(
        'update member_accounts set password_hash = ? where subject_id = (select id from subjects where human_id = ?)',
      )
      .run(await argon2.hash(PASSWORD, ARGON2_PARAMETERS), signedUp)

    await notifyEveryone({
      db: sqlitePortalDatabase(db),
      crypto: underA,
      portalAddress: OPTIONS.portalAddress,
      outputDirectory: temp.directory,
    })
    const notice = (await mailed()).find(
      (content) => content.kind === 'notification' && content.to === NOTIFIED,
    )
    const input = notice?.input as { letterCode: string; messageReference: string }
    letterCode = input.letterCode
    messageReference = input.messageReference

    // A staff member whose own address is a customer's too (so the case is theirs).
    staff = await createTestAgent(db, underA, { email: SIGNED_UP, name: 'Desk One', now: new Date(NOW) })
  })

  afterAll(async () => {
    await stopPasswordWork()
    temp?.remove()
  })

  const humanOf = (email: string) =>
    findHumanIdByEmail(sqlitePortalDatabase(db), underA.lookup('email', email))

  it('signs a member in by e-mail and by member ID', async () => {
    const attempt = (crypto: PortalCrypto, name: Parameters<typeof signIn>[0]['name']) =>
      signIn({ db: sqlitePortalDatabase(db), crypto, name, password: PASSWORD })
    for (const name of [
      { kind: 'email', address: SIGNED_UP },
      { kind: 'memberId', memberId: 'M1' },
    ] as const) {
      expect(await attempt(rotating, name)).toEqual({ ok: true, humanId: await humanOf(SIGNED_UP) })
      expect(await attempt(newOnly, name)).toEqual({ ok: false })
    }
  })

  it("answers the shop's readiness check by member ID", async () => {
    expect(
      await memberReadiness({ db: sqlitePortalDatabase(db), crypto: rotating, memberId: 'M1' }),
    ).toMatchObject({
      ready: expect.any(Boolean),
    })
    expect(
      await memberReadiness({ db: sqlitePortalDatabase(db), crypto: newOnly, memberId: 'M1' }),
    ).toBeUndefined()
  })

  it('finds the holder of a letter code printed before', async () => {
    const check = (crypto: PortalCrypto) =>
      checkLetterCode(
        { db: sqlitePortalDatabase(db), crypto, now: NOW, validUntil: '2099-12-31' },
        { code: letterCode, proof: '1970-01-02' },
      )
    expect(await check(newOnly)).toEqual({ ok: false, reason: 'no_match' })
    expect(await check(rotating)).toEqual({ ok: true, humanId: await humanOf(NOTIFIED) })
  })

  it('knows a message it sent before', async () => {
    const check = (crypto: PortalCrypto) =>
      checkMessage(
        { db: sqlitePortalDatabase(db), crypto },
        { reference: messageReference, address: NOTIFIED },
      )
    expect(await check(rotating)).toBe('sent')
    expect(await check(newOnly)).toBe('not_sent')
  })

  // The printed codes are known only once notify has run, hence functions.
  it.each<[CaseSearchKind, () => string, string, string]>([
    ['email', () => SIGNED_UP, '', SIGNED_UP],
    ['phone', () => '090-1234-5678', '', SIGNED_UP],
    ['member-id', () => 'M2', '', NOTIFIED],
    ['kana-birth', () => 'ミホン', '1985-04-01', SIGNED_UP],
    ['letter-code', () => letterCode, '', NOTIFIED],
    ['message-ref', () => messageReference, '', NOTIFIED],
  ])('finds a case by %s', async (kind, typed, birthDate, whose) => {
    const value = typed()
    const search = (crypto: PortalCrypto) => {
      const read = readCaseKey(crypto.lookup, { kind, value, birthDate })
      if (!read.ok) throw new Error(`${kind} not read`)
      return findCaseHumanIds(sqlitePortalDatabase(db), read.key)
    }
    expect(await search(rotating)).toEqual([await humanOf(whose)])
    expect(await search(newOnly)).toEqual([])
  })

  it("knows a case is a staff member's own", async () => {
    const humanId = (await humanOf(SIGNED_UP)) as number
    expect(await staffOwningCase({ db: sqlitePortalDatabase(db), crypto: rotating }, humanId)).toEqual([
      staff.id,
    ])
    expect(await staffOwningCase({ db: sqlitePortalDatabase(db), crypto: newOnly }, humanId)).toEqual([])
  })

  it('signs staff in by e-mail, and takes a recovery code handed out before', async () => {
    const attempt = (crypto: PortalCrypto) =>
      signInStaff({
        db: sqlitePortalDatabase(db),
        crypto,
        email: SIGNED_UP,
        password: staff.enrolmentPassword,
        clientIpIndex: CLIENT_IP,
        now: new Date(NOW + 1000),
      })
    expect(await attempt(newOnly)).toEqual({ ok: false })
    expect(await attempt(rotating)).toMatchObject({ ok: true })

    const codes = newRecoveryCodes()
    await replaceRecoveryCodes(sqlitePortalDatabase(db), {
      staffId: staff.id,
      codeHashes: codes.map((code) => recoveryCodeHash(underA.index, staff.id, code)),
      now: new Date(NOW),
    })
    const store = createStaffSessionStore({
      db: sqlitePortalDatabase(db),
      secrets: [randomBytes(32).toString('base64url')],
      isProduction: false,
      now: () => NOW + 2000,
    })
    const cookie = (
      await store.start({ request: new Request('http://localhost/staff'), staffId: staff.id })
    ).split(';')[0]
    const session = await store.live(
      new Request('http://localhost/staff', { headers: { Cookie: cookie ?? '' } }),
    )
    if (!session) throw new Error('no staff session')
    const give = (crypto: PortalCrypto, typed: string) =>
      giveSecondFactor({
        db: sqlitePortalDatabase(db),
        crypto,
        session,
        code: { kind: 'recovery-code', typed },
        clientIpIndex: CLIENT_IP,
        now: new Date(NOW + 3000),
      })
    expect(await give(newOnly, codes[0] as string)).toEqual({ ok: false, reason: 'wrong' })
    expect(await give(rotating, codes[0] as string)).toEqual({ ok: true })
    // Spent, under either key.
    expect(await give(rotating, codes[0] as string)).toEqual({ ok: false, reason: 'wrong' })
  })

  it('answers an e-mail code asked for before the restart', async () => {
    const asked = await askForEmailCode(
      { db: sqlitePortalDatabase(db), crypto: underA, now: NOW },
      { email: NOTIFIED, displayEmail: NOTIFIED },
      OPTIONS,
    )
    if (asked.limited) throw new Error('limited')
    const code = await lastCode()
    const check = (crypto: PortalCrypto) =>
      checkPendingEmailCode({ db: sqlitePortalDatabase(db), crypto, now: NOW + 1000 }, asked.pending, code)
    expect(await check(newOnly)).toEqual({ ok: false, reason: 'expired' })
    expect(await check(rotating)).toEqual({ ok: true, humanId: await humanOf(NOTIFIED) })
  })

  it('answers a code asked for before the restart when the session kept only its digest', async () => {
    const asked = await askForEmailCode(
      { db: sqlitePortalDatabase(db), crypto: underA, now: NOW + 5000 },
      { email: NOTIFIED, displayEmail: NOTIFIED },
      OPTIONS,
    )
    if (asked.limited) throw new Error('limited')
    const target = { type: 'email', target: underA.index('email', NOTIFIED).toString('hex') } as const
    const code = await lastCode()
    expect(
      await checkEmailCode({ db: sqlitePortalDatabase(db), crypto: rotating, now: NOW + 6000 }, target, code),
    ).toEqual({
      ok: true,
      humanId: await humanOf(NOTIFIED),
    })
  })

  it('moves a code asked for again to the new key, its wrong tries in a row with it', async () => {
    const target = (crypto: PortalCrypto) => crypto.index('email', SIGNED_UP)
    const row = (crypto: PortalCrypto) =>
      db.$client
        .prepare(
          "select consecutive_failures as count from verification_challenges where type = 'email-code' and target_index = ?",
        )
        .get(target(crypto)) as { count: number } | undefined
    const portal = sqlitePortalDatabase(db)
    const first = await askForEmailCode(
      { db: portal, crypto: underA, now: NOW },
      { email: SIGNED_UP, displayEmail: SIGNED_UP },
      OPTIONS,
    )
    if (first.limited) throw new Error('limited')
    const code = await lastCode()
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    expect(
      await checkPendingEmailCode({ db: portal, crypto: rotating, now: NOW + 1000 }, first.pending, wrong),
    ).toEqual({
      ok: false,
      reason: 'wrong',
    })
    const again = await askForEmailCode(
      { db: portal, crypto: rotating, now: NOW + 2000 },
      { email: SIGNED_UP, displayEmail: SIGNED_UP },
      OPTIONS,
    )
    if (again.limited) throw new Error('limited')
    expect(row(underA)).toBeUndefined()
    expect(row(newOnly)).toEqual({ count: 1 })
    const newer = await lastCode()
    expect(
      await checkPendingEmailCode({ db: portal, crypto: rotating, now: NOW + 3000 }, again.pending, newer),
    ).toEqual({
      ok: true,
      humanId: await humanOf(SIGNED_UP),
    })
  })

  it('takes no new message reference that an older message has under the key before', async () => {
    const humanId = (await humanOf(NOTIFIED)) as number
    const message = (reference: string) => ({
      humanId,
      channel: 'email' as const,
      purpose: 'notice_resend' as const,
      reference,
      referenceDigests: rotating.lookup('message-ref', reference),
      address: NOTIFIED,
    })
    const printedBefore = readMessageReference(messageReference) as string
    const writer = createNotificationWriter(sqlitePortalDatabase(db), rotating.keyring)
    await expect(writer.queueEmail(message(printedBefore), {})).rejects.toThrow(MessageReferenceTaken)
    const resend = (reference: string) =>
      replaceNotice(sqlitePortalDatabase(db), rotating.keyring, {
        message: message(reference),
        letterCodeIndex: rotating.index('letter-code', `${reference}-code`),
        letterCode: `${reference}-code`,
        emailContent: {},
      })
    await expect(resend(printedBefore)).rejects.toThrow(MessageReferenceTaken)
    // A reference no message has goes in, found under the new key.
    const unused = newMessageReference()
    expect(await resend(unused.canonical)).toBe(true)
    expect(
      await checkMessage(
        { db: sqlitePortalDatabase(db), crypto: rotating },
        { reference: unused.printed, address: NOTIFIED },
      ),
    ).toBe('sent')
  })

  it("opens a return request's status with a code asked for before the restart", async () => {
    const portal = sqlitePortalDatabase(db)
    const emailIndex = underA.index('email', RETURNS)
    const reference = newReturnReference()
    const draftId = await createDraft(portal, { tokenHash: randomBytes(32), now: NOW })
    await fileDraftAsRequest(portal, underA.keyring, {
      draftId,
      reference,
      humanId: undefined,
      emailIndex,
      reason: 'damaged',
      details: {},
      now: NOW,
    })
    const lookup: StatusLookup = { reference, email: { matched: RETURNS, shown: RETURNS } }
    expect(await askForStatusCode({ db: portal, crypto: underA, now: NOW }, { lookup, ...OPTIONS })).toEqual({
      limited: false,
    })
    const code = await lastCode()
    const open = (crypto: PortalCrypto) =>
      openReturnStatus({ db: portal, crypto, now: NOW + 1000 }, { lookup, typedCode: code })
    expect(await open(newOnly)).toEqual({ kind: 'refused', reason: 'expired' })
    expect(await open(rotating)).toMatchObject({ kind: 'found', view: { reference, status: 'new' } })
  })
})
