import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import { detailsContext, pendingEmailContext } from '~db/member-accounts'
import { migrateDatabase } from '~db/migrate'
import { messageAddressContext } from '~db/notifications'
import {
  createKeyring,
  dataKeyFrom,
  keyIdOf,
  sealWithAesGcm as sealAsBefore,
  suiteOf,
  unseal,
} from '~db/seal'
import { countValuesToRebind, rebindSealedValues } from '~db/seal-rebinding'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { cardContext, subjectRecordContext } from '~db/subject-record'
import { migrationsUpTo } from '../support/migrations-up-to'
import { scratchDatabases } from '../support/scratch-database'

/**
 * A database as the portal left it before sealed values were bound to their
 * rows' IDs (migration 0018, values bound to blind-index digests, sealed by the
 * first suite under an older key), brought up to date: every value opens under
 * its row's ID, under the current key and suite, and a killed run carries on.
 */

const KEY_A = randomBytes(32).toString('base64')
const KEY_B = randomBytes(32).toString('base64')
const before = createKeyring({ current: KEY_A })
const after = createKeyring({ current: KEY_B, previous: [KEY_A] })
const hex = (digest: Buffer) => digest.toString('hex')

const scratchDatabase = scratchDatabases('seal-rebinding-')

function databaseAsBefore() {
  const { directory, db } = scratchDatabase()
  migrationsUpTo('0018_returns', join(directory, 'migrations'))
  migrate(db, { migrationsFolder: join(directory, 'migrations') })
  return db
}

/** `members` members, each with details, a pending address, a card and a message, bound as before. */
function storeAsBefore(db: SqliteDatabase, members: number) {
  const sqlite = db.$client
  const insertSubject = sqlite.prepare(
    `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
     values (?, ?, 'member', ?, 0, ?)`,
  )
  const insertAccount = sqlite.prepare(
    'insert into member_accounts (subject_id, details_sealed, pending_email_sealed) values (?, ?, ?)',
  )
  const insertCard = sqlite.prepare(
    'insert into stored_cards (id, subject_id, card_index, card_sealed) values (?, ?, ?, ?)',
  )
  const insertMessage = sqlite.prepare(
    `insert into messages (id, reference_index, human_id, channel, purpose, address_sealed)
     values (?, ?, ?, 'email', 'notification', ?)`,
  )
  const old = (context: string, plaintext: string) => sealAsBefore({ keyring: before, context, plaintext })
  sqlite.transaction(() => {
    for (let id = 1; id <= members; id++) {
      const naturalIdIndex = randomBytes(16)
      const cardIndex = randomBytes(16)
      const referenceIndex = randomBytes(16)
      insertSubject.run(
        id,
        id,
        naturalIdIndex,
        old(`subjects:member:${hex(naturalIdIndex)}:record`, `record ${id}`),
      )
      insertAccount.run(
        id,
        old(`member_accounts:${hex(naturalIdIndex)}:details`, `details ${id}`),
        id % 2 === 0 ? old(`member_accounts:${hex(naturalIdIndex)}:pending_email`, `pending ${id}`) : null,
      )
      insertCard.run(
        id,
        id,
        cardIndex,
        old(`stored_cards:${hex(naturalIdIndex)}:${hex(cardIndex)}:card`, `card ${id}`),
      )
      insertMessage.run(
        id,
        referenceIndex,
        id,
        old(`messages:${hex(referenceIndex)}:address`, `address ${id}`),
      )
    }
  })()
}

const CHECKS = [
  {
    select: 'select id as key, record_sealed as sealed from subjects',
    context: subjectRecordContext,
    text: 'record',
  },
  {
    select: 'select subject_id as key, details_sealed as sealed from member_accounts',
    context: detailsContext,
    text: 'details',
  },
  {
    select:
      'select subject_id as key, pending_email_sealed as sealed from member_accounts where pending_email_sealed is not null',
    context: pendingEmailContext,
    text: 'pending',
  },
  { select: 'select id as key, card_sealed as sealed from stored_cards', context: cardContext, text: 'card' },
  {
    select: 'select id as key, address_sealed as sealed from messages',
    context: messageAddressContext,
    text: 'address',
  },
]

/** Every value opened under its row's ID alone, by a keyring that has only the current key. */
function expectAllBoundToRows(db: SqliteDatabase, members: number) {
  const onlyB = createKeyring({ current: KEY_B })
  const keyB = dataKeyFrom(KEY_B).id
  let values = 0
  for (const { select, context, text } of CHECKS) {
    for (const { key, sealed } of db.$client.prepare(select).all() as { key: number; sealed: Buffer }[]) {
      expect(unseal({ keyring: onlyB, context: context(key), sealed }).toString()).toBe(`${text} ${key}`)
      expect(suiteOf(sealed)).toBe(2)
      expect(keyIdOf(sealed)).toBe(keyB)
      values++
    }
  }
  expect(values).toBe(members * 4 + Math.floor(members / 2))
}

describe('binding sealed values to their rows', () => {
  it('seals every value bound to a digest again, under its row ID and the current key', async () => {
    const db = databaseAsBefore()
    storeAsBefore(db, 30)
    migrateDatabase(db)
    expect(await countValuesToRebind(sqlitePortalDatabase(db))).toBe(30 * 4 + 15)
    expect(await rebindSealedValues(sqlitePortalDatabase(db), after)).toBe(30 * 4 + 15)
    expectAllBoundToRows(db, 30)
    expect(db.$client.prepare('select count(*) from seal_rebindings').pluck().get()).toBe(0)
    // Done once: a second run has nothing to do.
    expect(await rebindSealedValues(sqlitePortalDatabase(db), after)).toBe(0)
  })

  it('carries on where a killed run stopped, each batch whole', async () => {
    const db = databaseAsBefore()
    const members = 4500
    storeAsBefore(db, members)
    migrateDatabase(db)
    // The run dies after its second batch has committed, as a kill between transactions would leave it.
    let batches = 0
    await expect(
      rebindSealedValues(sqlitePortalDatabase(db), after, () => {
        batches++
        if (batches === 2) throw new Error('killed')
      }),
    ).rejects.toThrow('killed')
    expect(
      db.$client
        .prepare("select after_key from seal_rebindings where sealed_column = 'subjects.record_sealed'")
        .pluck()
        .get(),
    ).toBe(4000)
    expect(await countValuesToRebind(sqlitePortalDatabase(db))).toBe(members * 4 + members / 2 - 4000)
    await rebindSealedValues(sqlitePortalDatabase(db), after)
    expectAllBoundToRows(db, members)
  })

  it('has nothing to do on a database that held no sealed values', async () => {
    const db = databaseAsBefore()
    migrateDatabase(db)
    expect(db.$client.prepare('select count(*) from seal_rebindings').pluck().get()).toBe(0)
    expect(await rebindSealedValues(sqlitePortalDatabase(db), after)).toBe(0)
  })

  it('refuses, naming nothing personal, a value no configured key opens', async () => {
    const db = databaseAsBefore()
    storeAsBefore(db, 1)
    migrateDatabase(db)
    await expect(
      rebindSealedValues(sqlitePortalDatabase(db), createKeyring({ current: KEY_B })),
    ).rejects.toThrow('sealed with a key this installation does not have')
  })
})
