import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import { countValuesToReseal, resealValues } from '~db/key-rotation'
import { detailsContext } from '~db/member-accounts'
import { migrateDatabase } from '~db/migrate'
import { messageAddressContext } from '~db/notifications'
import {
  createKeyring,
  dataKeyFrom,
  keyIdOf,
  seal,
  sealWithAesGcm,
  suiteOf,
  UnsealError,
  unseal,
} from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { cardContext, subjectRecordContext } from '~db/subject-record'
import { scratchDatabases } from '../support/scratch-database'

/**
 * Data-key rotation on a real file: values sealed under key A (both suites)
 * sealed again under key B in small batches, each value still opening where it
 * lives, a run that dies between batches carried on by the next, and a value
 * that does not open stopping the run without touching its batch.
 */

const KEY_A = randomBytes(32).toString('base64')
const KEY_B = randomBytes(32).toString('base64')
const underA = createKeyring({ current: KEY_A })
const rotating = createKeyring({ current: KEY_B, previous: [KEY_A] })
const onlyB = createKeyring({ current: KEY_B })

const scratchDatabase = scratchDatabases('key-rotation-')

const COLUMNS = [
  { select: 'select id as key, record_sealed as sealed from subjects', context: subjectRecordContext },
  {
    select: 'select subject_id as key, details_sealed as sealed from member_accounts',
    context: detailsContext,
  },
  { select: 'select id as key, card_sealed as sealed from stored_cards', context: cardContext },
  { select: 'select id as key, address_sealed as sealed from messages', context: messageAddressContext },
]

function databaseUnderA(members: number) {
  const { db } = scratchDatabase()
  migrateDatabase(db)
  const sqlite = db.$client
  // Every third value as the first suite sealed it, the rest as the current suite does.
  const sealA = (id: number, context: string) =>
    (id % 3 === 0 ? sealWithAesGcm : seal)({ keyring: underA, context, plaintext: `value ${context}` })
  sqlite.transaction(() => {
    for (let id = 1; id <= members; id++) {
      sqlite
        .prepare(
          `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
           values (?, ?, 'member', ?, 0, ?)`,
        )
        .run(id, id, randomBytes(16), sealA(id, subjectRecordContext(id)))
      sqlite
        .prepare('insert into member_accounts (subject_id, details_sealed) values (?, ?)')
        .run(id, sealA(id, detailsContext(id)))
      sqlite
        .prepare('insert into stored_cards (id, subject_id, card_index, card_sealed) values (?, ?, ?, ?)')
        .run(id, id, randomBytes(16), sealA(id, cardContext(id)))
      sqlite
        .prepare(
          `insert into messages (id, reference_index, human_id, channel, purpose, address_sealed)
           values (?, ?, ?, 'email', 'notification', ?)`,
        )
        .run(id, randomBytes(16), id, sealA(id, messageAddressContext(id)))
    }
  })()
  return db
}

function expectAllUnderB(db: SqliteDatabase, members: number) {
  const keyB = dataKeyFrom(KEY_B).id
  let values = 0
  for (const { select, context } of COLUMNS) {
    for (const { key, sealed } of db.$client.prepare(select).all() as { key: number; sealed: Buffer }[]) {
      expect(unseal({ keyring: onlyB, context: context(key), sealed }).toString()).toBe(
        `value ${context(key)}`,
      )
      expect([suiteOf(sealed), keyIdOf(sealed)]).toEqual([2, keyB])
      values++
    }
  }
  expect(values).toBe(members * 4)
}

describe('data-key rotation', () => {
  it('seals every value under the current key and suite, each still opening in its own row', async () => {
    const db = databaseUnderA(40)
    expect(await countValuesToReseal(sqlitePortalDatabase(db), rotating)).toBe(160)
    const seen: number[] = []
    expect(
      await resealValues(sqlitePortalDatabase(db), rotating, {
        batchRows: 7,
        progress: (done) => seen.push(done),
      }),
    ).toBe(160)
    expect(seen.at(-1)).toBe(160)
    expect(await countValuesToReseal(sqlitePortalDatabase(db), rotating)).toBe(0)
    expectAllUnderB(db, 40)
    expect(await resealValues(sqlitePortalDatabase(db), rotating)).toBe(0)
  })

  it('carries on after a run that died between batches, losing nothing', async () => {
    const db = databaseUnderA(50)
    let calls = 0
    await expect(
      resealValues(sqlitePortalDatabase(db), rotating, {
        batchRows: 10,
        progress: () => {
          calls++
          if (calls === 5) throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    // Four batches of ten committed (the first call reports the start).
    expect(await countValuesToReseal(sqlitePortalDatabase(db), rotating)).toBe(200 - 40)
    expect(await resealValues(sqlitePortalDatabase(db), rotating, { batchRows: 10 })).toBe(160)
    expectAllUnderB(db, 50)
  })

  it('stops at a value that does not open, naming its column, and leaves that batch as it was', async () => {
    const db = databaseUnderA(5)
    const wrongRow = seal({ keyring: underA, context: subjectRecordContext(99), plaintext: 'x' })
    db.$client.prepare('update subjects set record_sealed = ? where id = 3').run(wrongRow)
    const error = await resealValues(sqlitePortalDatabase(db), rotating, { batchRows: 10 }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(UnsealError)
    expect((error as Error).message).toContain('subjects.record_sealed')
    expect(await countValuesToReseal(sqlitePortalDatabase(db), rotating)).toBe(20)
  })
})
