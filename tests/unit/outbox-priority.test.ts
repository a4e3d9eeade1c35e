import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import { createNotificationWriter, type NewMessage } from '~db/notifications'
import { claimDueMessages } from '~db/outbox'
import type { PortalCrypto } from '~db/portal-crypto'
import { type MessagePurpose, OUTBOX_PRIORITIES } from '~db/schema'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

/**
 * The outbox's two queues: what each message is for decides its priority when
 * it is written, and a claim takes every urgent message that is due before any
 * bulk one, those left behind by a dead sender included.
 */

const LEASE_MS = 60_000

let temp: TempDatabase
let db: SqliteDatabase
let crypto: PortalCrypto
let humanIds: number[]

beforeEach(async () => {
  temp = await importedDatabase('outbox-priority-', {
    'members.csv': [
      MEMBER_COLUMNS,
      ...[1, 2, 3, 4, 5].map((i) => member({ member_id: `M${i}`, email: `m${i}@example.jp` })),
    ],
  })
  ;({ db, crypto } = temp)
  humanIds = db.$client.prepare('select human_id from subjects order by id').pluck().all() as number[]
})

afterEach(() => temp.remove())

let references = 0
function message(purpose: MessagePurpose, humanId: number): NewMessage {
  references++
  return {
    humanId,
    channel: 'email',
    purpose,
    referenceDigests: crypto.lookup('message-ref', `R${references}`),
    reference: `R${references}`,
    address: 'someone@example.jp',
  }
}

/** Queues one e-mail for `purpose` (the mass notice through its batch writer); returns its outbox ID. */
function queue(purpose: MessagePurpose, humanId = humanIds[0] as number) {
  const writer = createNotificationWriter(db, crypto.keyring)
  if (purpose === 'notification') {
    writer.writeBatch([
      {
        message: message(purpose, humanId),
        letterCodeIndex: crypto.index('letter-code', `L${references}`),
        letterCode: `L${references}`,
        emailContent: { purpose },
      },
    ])
  } else writer.queueEmail(message(purpose, humanId), { purpose })
  return db.$client.prepare('select max(id) from outbox_messages').pluck().get() as number
}

const priorityOf = (id: number) =>
  db.$client.prepare('select priority from outbox_messages where id = ?').pluck().get(id)

const claim = (now: number, limit: number) =>
  claimDueMessages(db, crypto.keyring, { now, limit, leaseMs: LEASE_MS }).map((m) => m.id)

describe('the outbox priorities', () => {
  it('writes codes and account notices urgent, the mass notice bulk', () => {
    expect(priorityOf(queue('notification'))).toBe(OUTBOX_PRIORITIES.bulk)
    expect(priorityOf(queue('email_code'))).toBe(OUTBOX_PRIORITIES.urgent)
    expect(priorityOf(queue('account_notice'))).toBe(OUTBOX_PRIORITIES.urgent)
  })

  it('claims every due urgent message before any bulk one, however long the bulk ones waited', () => {
    const notices = humanIds.map((humanId) => queue('notification', humanId))
    const code = queue('email_code')
    const notice = queue('account_notice')
    expect(claim(Date.now(), 2)).toEqual([code, notice])
    expect(claim(Date.now(), 10)).toEqual(notices)
    expect(claim(Date.now(), 10)).toEqual([])
  })

  it('takes urgent messages a dead sender left behind and pending ones before bulk ones, left behind or not', () => {
    const [fifth = 0, ...others] = humanIds
    const abandonedNotices = others.map((humanId) => queue('notification', humanId))
    const abandonedCode = queue('email_code')
    // A sender claims all of them and dies; its lease runs out a minute later.
    const start = Date.now() + 1_000
    expect(claim(start, 10).sort()).toEqual([...abandonedNotices, abandonedCode].sort())
    const pendingNotice = queue('notification', fifth)
    const pendingCode = queue('email_code')
    const later = start + LEASE_MS + 1
    expect(claim(later, 2)).toEqual([abandonedCode, pendingCode])
    const bulk = claim(later, 10)
    expect(bulk.slice(0, 4).sort()).toEqual(abandonedNotices.sort())
    expect(bulk.slice(4)).toEqual([pendingNotice])
  })
})
