import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { createNotificationWriter, type NewMessage } from '~db/notifications'
import { claimDueMessages } from '~db/outbox'
import type { PortalCrypto } from '~db/portal-crypto'
import { type MessagePurpose, OUTBOX_PRIORITIES } from '~db/schema'
import { sqlitePortalDatabase } from '~db/sqlite-store'
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
let portal: PortalDatabase
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
  portal = sqlitePortalDatabase(db)
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
async function queue(purpose: MessagePurpose, humanId = humanIds[0] as number) {
  const writer = createNotificationWriter(portal, crypto.keyring)
  if (purpose === 'notification') {
    await writer.writeBatch([
      {
        message: message(purpose, humanId),
        letterCodeIndex: crypto.index('letter-code', `L${references}`),
        letterCode: `L${references}`,
        emailContent: { purpose },
      },
    ])
  } else await writer.queueEmail(message(purpose, humanId), { purpose })
  return db.$client.prepare('select max(id) from outbox_messages').pluck().get() as number
}

const priorityOf = (id: number) =>
  db.$client.prepare('select priority from outbox_messages where id = ?').pluck().get(id)

const claim = async (now: number, limit: number) =>
  (await claimDueMessages(portal, crypto.keyring, { now, limit, leaseMs: LEASE_MS })).map((m) => m.id)

describe('the outbox priorities', () => {
  it('writes codes and account notices urgent, the mass notice bulk', async () => {
    expect(priorityOf(await queue('notification'))).toBe(OUTBOX_PRIORITIES.bulk)
    expect(priorityOf(await queue('email_code'))).toBe(OUTBOX_PRIORITIES.urgent)
    expect(priorityOf(await queue('account_notice'))).toBe(OUTBOX_PRIORITIES.urgent)
  })

  it('claims every due urgent message before any bulk one, however long the bulk ones waited', async () => {
    const notices: number[] = []
    for (const humanId of humanIds) notices.push(await queue('notification', humanId))
    const code = await queue('email_code')
    const notice = await queue('account_notice')
    expect(await claim(Date.now(), 2)).toEqual([code, notice])
    expect(await claim(Date.now(), 10)).toEqual(notices)
    expect(await claim(Date.now(), 10)).toEqual([])
  })

  it('never gives two claims made at once the same message', async () => {
    for (const humanId of humanIds) await queue('notification', humanId)
    const now = Date.now()
    const [first, second] = await Promise.all([claim(now, 3), claim(now, 3)])
    expect(first).toHaveLength(3)
    expect(second).toHaveLength(2)
    expect(first.filter((id) => second.includes(id))).toEqual([])
  })

  it('takes urgent messages a dead sender left behind and pending ones before bulk ones, left behind or not', async () => {
    const [fifth = 0, ...others] = humanIds
    const abandonedNotices: number[] = []
    for (const humanId of others) abandonedNotices.push(await queue('notification', humanId))
    const abandonedCode = await queue('email_code')
    // A sender claims all of them and dies; its lease runs out a minute later.
    const start = Date.now() + 1_000
    expect((await claim(start, 10)).sort()).toEqual([...abandonedNotices, abandonedCode].sort())
    const pendingNotice = await queue('notification', fifth)
    const pendingCode = await queue('email_code')
    const later = start + LEASE_MS + 1
    expect(await claim(later, 2)).toEqual([abandonedCode, pendingCode])
    const bulk = await claim(later, 10)
    expect(bulk.slice(0, 4).sort()).toEqual(abandonedNotices.sort())
    expect(bulk.slice(4)).toEqual([pendingNotice])
  })
})
