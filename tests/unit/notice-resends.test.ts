import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chooseNoticeChannel, type NoticeChannel } from '~/notify/notice-channel.server'
import { prepareNotice, printerRowOf } from '~/notify/notice-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import type { SqliteDatabase } from '~db/client'
import { findHuman } from '~db/humans'
import { listWaitingReprints, markReprintsWritten, replaceNotice } from '~db/notice-resends'
import { letterCodeContext, messageReferenceContext } from '~db/notifications'
import { UnsealError, unseal } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

/**
 * The data side of sending a notice again: one notification per human,
 * pointed at a new message and a new letter code, and a paper row kept sealed
 * until the next printer file takes it.
 */

let temp: TempDatabase
let db: SqliteDatabase
const portal = () => sqlitePortalDatabase(db)
const PORTAL = 'portal.example.jp'

beforeEach(async () => {
  temp = await importedDatabase('notice-resends-', {
    'members.csv': [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', family_name: '葉書', postal_code: '150-0001' }),
      member({ member_id: 'M2', family_name: '未通知', postal_code: '150-0002' }),
    ],
  })
  db = temp.db
  // One run with a limit of one: the second member is not notified yet.
  await notifyEveryone({
    db: portal(),
    crypto: temp.crypto,
    portalAddress: PORTAL,
    outputDirectory: temp.directory,
    postcardsPath: join(temp.directory, 'postcards.csv'),
    handoutsPath: join(temp.directory, 'handouts.csv'),
    limit: 1,
  })
})

afterEach(() => temp.remove())

const humans = () =>
  db.$client.prepare('select distinct human_id from subjects order by human_id').pluck().all() as number[]
const notified = () => db.$client.prepare('select human_id from notifications').pluck().all() as number[]

async function resendFor(humanId: number) {
  const human = await findHuman(portal(), temp.crypto.keyring, humanId)
  const notice = chooseNoticeChannel(human as NonNullable<typeof human>) as Exclude<
    NoticeChannel,
    { channel: 'unreachable' }
  >
  const prepared = prepareNotice(
    { crypto: temp.crypto, portalAddress: PORTAL, purpose: 'notice_resend' },
    notice,
  )
  return {
    prepared,
    resend: {
      ...prepared.row,
      message: { ...prepared.row.message, channel: notice.channel },
      printerRow: printerRowOf(PORTAL, prepared),
    },
  }
}

describe('replacing a notice', () => {
  it('gives a notified human a new message and letter code, resets the lock, and keeps the paper row sealed', async () => {
    const [humanId] = notified() as [number]
    db.$client
      .prepare(
        'update notifications set letter_code_failures = 10, letter_code_locked_at = 1 where human_id = ?',
      )
      .run(humanId)
    const before = db.$client
      .prepare('select * from notifications where human_id = ?')
      .get(humanId) as Record<string, unknown>
    const { prepared, resend } = await resendFor(humanId)
    expect(await replaceNotice(portal(), temp.crypto.keyring, resend)).toBe(true)
    const after = db.$client.prepare('select * from notifications where human_id = ?').get(humanId) as Record<
      string,
      unknown
    >
    expect(after.id).toBe(before.id)
    expect(after.message_id).not.toBe(before.message_id)
    expect(after.letter_code_index).toEqual(resend.letterCodeIndex)
    expect(after).toMatchObject({ letter_code_failures: 0, letter_code_locked_at: null, channel: 'postcard' })
    expect(
      db.$client.prepare('select purpose from messages where id = ?').pluck().get(after.message_id),
    ).toBe('notice_resend')
    // Nothing goes to the outbox for paper; the row waits, sealed.
    expect(db.$client.prepare('select count(*) from outbox_messages').pluck().get()).toBe(0)
    const sealed = db.$client.prepare('select row_sealed from printer_reprints').pluck().get() as Buffer
    expect(sealed.includes(prepared.letterCode)).toBe(false)
    expect(sealed.includes('葉書')).toBe(false)

    const waiting = await listWaitingReprints(portal(), temp.crypto.keyring)
    expect(waiting).toHaveLength(1)
    expect(waiting[0]?.kind).toBe('postcard')
    expect(waiting[0]?.row).toContain(prepared.letterCode)
    expect(waiting[0]?.row.join(' ')).toContain('葉書')

    expect(await markReprintsWritten(portal(), [waiting[0]?.id as number], new Date())).toBe(1)
    expect(await listWaitingReprints(portal(), temp.crypto.keyring)).toEqual([])
    expect(
      db.$client.prepare('select row_sealed, written_at is not null as written from printer_reprints').get(),
    ).toEqual({
      row_sealed: null,
      written: 1,
    })
  })

  it('refuses a human not notified yet, writing nothing', async () => {
    const waitingHuman = humans().find((id) => !notified().includes(id)) as number
    expect(waitingHuman).toBeGreaterThan(0)
    const messagesBefore = db.$client.prepare('select count(*) from messages').pluck().get()
    const { resend } = await resendFor(waitingHuman)
    expect(await replaceNotice(portal(), temp.crypto.keyring, resend)).toBe(false)
    expect(db.$client.prepare('select count(*) from messages').pluck().get()).toBe(messagesBefore)
    expect(db.$client.prepare('select count(*) from printer_reprints').pluck().get()).toBe(0)
  })
})

describe('printed codes kept sealed', () => {
  const keyring = () => temp.crypto.keyring
  const open = (sealed: Buffer, context: string) => unseal({ keyring: keyring(), context, sealed }).toString()
  type NoticeRow = { id: number; message_id: number; letter_code_index: Buffer; letter_code_sealed: Buffer }
  const noticeOf = (humanId: number) =>
    db.$client
      .prepare(
        'select id, message_id, letter_code_index, letter_code_sealed from notifications where human_id = ?',
      )
      .get(humanId) as NoticeRow

  // A new index key recomputes each digest from these: what they open to must give the stored digest.
  it('seals each letter code and message reference for its message, opening to what its digest was made from', async () => {
    const [humanId] = notified() as [number]
    const check = () => {
      const notice = noticeOf(humanId)
      const code = open(notice.letter_code_sealed, letterCodeContext(notice.message_id))
      expect(temp.crypto.index('letter-code', code)).toEqual(notice.letter_code_index)
      const message = db.$client
        .prepare('select reference_index, reference_sealed from messages where id = ?')
        .get(notice.message_id) as { reference_index: Buffer; reference_sealed: Buffer }
      const reference = open(message.reference_sealed, messageReferenceContext(notice.message_id))
      expect(temp.crypto.index('message-ref', reference)).toEqual(message.reference_index)
      return { code, reference }
    }
    const first = check()
    const { prepared, resend } = await resendFor(humanId)
    expect(await replaceNotice(portal(), keyring(), resend)).toBe(true)
    const second = check()
    expect(second.code).not.toBe(first.code)
    expect(prepared.letterCode.replace(/\W/g, '')).toContain(second.code.replace(/\W/g, ''))
  })

  it('refuses a sealed letter code moved to another message', () => {
    const [humanId] = notified() as [number]
    const notice = noticeOf(humanId)
    expect(() => open(notice.letter_code_sealed, letterCodeContext(notice.message_id + 1))).toThrow(
      UnsealError,
    )
  })
})
