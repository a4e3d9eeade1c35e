import type { SqliteDatabase } from './client'
import { detailsContext, pendingEmailContext } from './member-accounts'
import { messageAddressContext } from './notifications'
import { type Keyring, type SealContext, seal, UnsealError, unseal } from './seal'
import { cardContext, subjectRecordContext } from './subject-record'

/**
 * Values sealed before their associated data named their row's ID: five
 * columns were bound to blind-index digests, which a new index key changes, so
 * rotating that key would have left them unopenable. Each such value is opened
 * under the digest it was bound to and sealed again under its row's ID (and the
 * current key and suite), a batch per transaction, the column's progress saved
 * with each batch so a killed run carries on where it stopped. Migration 0019
 * lists the columns that held values; a new database has nothing to do.
 */

type LegacyRow = { key: number; sealed: Buffer; naturalIdIndex?: Buffer; cardIndex?: Buffer; cohort?: string }

type Rebinding = {
  /** The column's rows after a key, in key order, with what their old associated data named. */
  rows: string
  update: string
  legacy: (row: LegacyRow) => SealContext
  current: (key: number) => SealContext
}

const hex = (digest: Buffer | undefined) => (digest as Buffer).toString('hex')

const REBINDINGS: Record<string, Rebinding> = {
  'subjects.record_sealed': {
    rows: `select id as key, cohort, natural_id_index as naturalIdIndex, record_sealed as sealed
           from subjects where id > ? order by id limit ?`,
    update: 'update subjects set record_sealed = ? where id = ?',
    legacy: (row) => `subjects:${row.cohort}:${hex(row.naturalIdIndex)}:record`,
    current: subjectRecordContext,
  },
  'member_accounts.details_sealed': {
    rows: `select a.subject_id as key, s.natural_id_index as naturalIdIndex, a.details_sealed as sealed
           from member_accounts a join subjects s on s.id = a.subject_id
           where a.subject_id > ? and a.details_sealed is not null order by a.subject_id limit ?`,
    update: 'update member_accounts set details_sealed = ? where subject_id = ?',
    legacy: (row) => `member_accounts:${hex(row.naturalIdIndex)}:details`,
    current: detailsContext,
  },
  'member_accounts.pending_email_sealed': {
    rows: `select a.subject_id as key, s.natural_id_index as naturalIdIndex, a.pending_email_sealed as sealed
           from member_accounts a join subjects s on s.id = a.subject_id
           where a.subject_id > ? and a.pending_email_sealed is not null order by a.subject_id limit ?`,
    update: 'update member_accounts set pending_email_sealed = ? where subject_id = ?',
    legacy: (row) => `member_accounts:${hex(row.naturalIdIndex)}:pending_email`,
    current: pendingEmailContext,
  },
  // A card was bound to its member's ID digest, which is the member subject's natural-ID digest.
  'stored_cards.card_sealed': {
    rows: `select c.id as key, s.natural_id_index as naturalIdIndex, c.card_index as cardIndex, c.card_sealed as sealed
           from stored_cards c join subjects s on s.id = c.subject_id
           where c.id > ? order by c.id limit ?`,
    update: 'update stored_cards set card_sealed = ? where id = ?',
    legacy: (row) => `stored_cards:${hex(row.naturalIdIndex)}:${hex(row.cardIndex)}:card`,
    current: cardContext,
  },
  'messages.address_sealed': {
    rows: `select id as key, reference_index as naturalIdIndex, address_sealed as sealed
           from messages where id > ? and address_sealed is not null order by id limit ?`,
    update: 'update messages set address_sealed = ? where id = ?',
    legacy: (row) => `messages:${hex(row.naturalIdIndex)}:address`,
    current: messageAddressContext,
  },
}

/** Rows per transaction: short enough that the portal's writers never wait long for the lock. */
const BATCH_ROWS = 2000

export type RebindingProgress = (done: number, total: number) => void

/** How many values are still bound to a digest (zero once every column is done). */
export function countValuesToRebind(db: SqliteDatabase): number {
  return pendingColumns(db).reduce((sum, { sealedColumn, afterKey }) => {
    const [table, column] = sealedColumn.split('.') as [string, string]
    const key = table === 'member_accounts' ? 'subject_id' : 'id'
    return (
      sum +
      (db.$client
        .prepare(`select count(*) from ${table} where ${key} > ? and ${column} is not null`)
        .pluck()
        .get(afterKey) as number)
    )
  }, 0)
}

/** Seals every listed column's values again bound to their rows; returns how many it sealed. */
export function rebindSealedValues(db: SqliteDatabase, keyring: Keyring, progress?: RebindingProgress) {
  const sqlite = db.$client
  const total = countValuesToRebind(db)
  let done = 0
  for (const { sealedColumn, afterKey } of pendingColumns(db)) {
    const rebinding = REBINDINGS[sealedColumn]
    if (!rebinding) throw new Error(`no rebinding for ${sealedColumn}`)
    const rows = sqlite.prepare(rebinding.rows)
    const update = sqlite.prepare(rebinding.update)
    const advance = sqlite.prepare('update seal_rebindings set after_key = ? where sealed_column = ?')
    const finish = sqlite.prepare('delete from seal_rebindings where sealed_column = ?')
    const batch = sqlite.transaction((after: number) => {
      const found = rows.all(after, BATCH_ROWS) as LegacyRow[]
      for (const row of found) {
        const plaintext = openEither(keyring, row, rebinding)
        if (plaintext) update.run(seal({ keyring, context: rebinding.current(row.key), plaintext }), row.key)
      }
      const last = found.at(-1)?.key
      if (last === undefined || found.length < BATCH_ROWS) finish.run(sealedColumn)
      else advance.run(last, sealedColumn)
      return { rows: found.length, last }
    })
    for (let after = afterKey; ; ) {
      const { rows: count, last } = batch.immediate(after)
      done += count
      progress?.(done, total)
      if (last === undefined || count < BATCH_ROWS) break
      after = last
    }
  }
  return done
}

/**
 * The value under its old binding; undefined when it already opens under its
 * row's ID (written since, by code that binds to IDs), which leaves it as is.
 */
function openEither(keyring: Keyring, row: LegacyRow, rebinding: Rebinding) {
  try {
    return unseal({ keyring, context: rebinding.legacy(row), sealed: row.sealed })
  } catch (error) {
    if (!(error instanceof UnsealError)) throw error
    unseal({ keyring, context: rebinding.current(row.key), sealed: row.sealed })
    return undefined
  }
}

function pendingColumns(db: SqliteDatabase) {
  return db.$client
    .prepare(
      'select sealed_column as sealedColumn, after_key as afterKey from seal_rebindings order by rowid',
    )
    .all() as { sealedColumn: string; afterKey: number }[]
}
