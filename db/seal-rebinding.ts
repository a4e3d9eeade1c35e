import { type PortalDatabase, prepared, withTransaction } from './database'
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
    rows: `select id as "key", cohort, natural_id_index as "naturalIdIndex", record_sealed as sealed
           from subjects where id > ? order by id limit ?`,
    update: 'update subjects set record_sealed = ? where id = ?',
    legacy: (row) => `subjects:${row.cohort}:${hex(row.naturalIdIndex)}:record`,
    current: subjectRecordContext,
  },
  'member_accounts.details_sealed': {
    rows: `select a.subject_id as "key", s.natural_id_index as "naturalIdIndex", a.details_sealed as sealed
           from member_accounts a join subjects s on s.id = a.subject_id
           where a.subject_id > ? and a.details_sealed is not null order by a.subject_id limit ?`,
    update: 'update member_accounts set details_sealed = ? where subject_id = ?',
    legacy: (row) => `member_accounts:${hex(row.naturalIdIndex)}:details`,
    current: detailsContext,
  },
  'member_accounts.pending_email_sealed': {
    rows: `select a.subject_id as "key", s.natural_id_index as "naturalIdIndex", a.pending_email_sealed as sealed
           from member_accounts a join subjects s on s.id = a.subject_id
           where a.subject_id > ? and a.pending_email_sealed is not null order by a.subject_id limit ?`,
    update: 'update member_accounts set pending_email_sealed = ? where subject_id = ?',
    legacy: (row) => `member_accounts:${hex(row.naturalIdIndex)}:pending_email`,
    current: pendingEmailContext,
  },
  // A card was bound to its member's ID digest, which is the member subject's natural-ID digest.
  'stored_cards.card_sealed': {
    rows: `select c.id as "key", s.natural_id_index as "naturalIdIndex", c.card_index as "cardIndex", c.card_sealed as sealed
           from stored_cards c join subjects s on s.id = c.subject_id
           where c.id > ? order by c.id limit ?`,
    update: 'update stored_cards set card_sealed = ? where id = ?',
    legacy: (row) => `stored_cards:${hex(row.naturalIdIndex)}:${hex(row.cardIndex)}:card`,
    current: cardContext,
  },
  'messages.address_sealed': {
    rows: `select id as "key", reference_index as "naturalIdIndex", address_sealed as sealed
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
export async function countValuesToRebind(db: PortalDatabase): Promise<number> {
  let sum = 0
  for (const { sealedColumn, afterKey } of await pendingColumns(db)) {
    const [table, column] = sealedColumn.split('.') as [string, string]
    const key = table === 'member_accounts' ? 'subject_id' : 'id'
    sum +=
      (await prepared(
        db,
        `select count(*) from ${table} where ${key} > ? and ${column} is not null`,
      ).value<number>(afterKey)) ?? 0
  }
  return sum
}

/** Seals every listed column's values again bound to their rows; returns how many it sealed. */
export async function rebindSealedValues(
  db: PortalDatabase,
  keyring: Keyring,
  progress?: RebindingProgress,
): Promise<number> {
  const pending = await pendingColumns(db)
  // Nothing listed (a database made since, or moved to PostgreSQL after its values were bound): nothing counted.
  if (pending.length === 0) return 0
  const total = await countValuesToRebind(db)
  let done = 0
  for (const { sealedColumn, afterKey } of pending) {
    const rebinding = REBINDINGS[sealedColumn]
    if (!rebinding) throw new Error(`no rebinding for ${sealedColumn}`)
    for (let after = afterKey; ; ) {
      const { rows: count, last } = await withTransaction(db, (tx) =>
        rebindBatch(tx, keyring, sealedColumn, rebinding, after),
      )
      done += count
      progress?.(done, total)
      if (last === undefined || count < BATCH_ROWS) break
      after = last
    }
  }
  return done
}

/** One batch of a column after `after`, sealed again, with the column's progress saved in the same transaction. */
async function rebindBatch(
  tx: PortalDatabase,
  keyring: Keyring,
  sealedColumn: string,
  rebinding: Rebinding,
  after: number,
) {
  const found = await prepared<LegacyRow>(tx, rebinding.rows).all(after, BATCH_ROWS)
  for (const row of found) {
    const plaintext = openEither(keyring, row, rebinding)
    if (plaintext)
      await prepared(tx, rebinding.update).run(
        seal({ keyring, context: rebinding.current(row.key), plaintext }),
        row.key,
      )
  }
  const last = found.at(-1)?.key
  if (last === undefined || found.length < BATCH_ROWS)
    await prepared(tx, 'delete from seal_rebindings where sealed_column = ?').run(sealedColumn)
  else
    await prepared(tx, 'update seal_rebindings set after_key = ? where sealed_column = ?').run(
      last,
      sealedColumn,
    )
  return { rows: found.length, last }
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

/** The columns still listed, in the order migration 0019 listed them. */
async function pendingColumns(db: PortalDatabase) {
  const order = Object.keys(REBINDINGS)
  const pending = await prepared<{ sealedColumn: string; afterKey: number }>(
    db,
    'select sealed_column as "sealedColumn", after_key as "afterKey" from seal_rebindings',
  ).all()
  return pending.sort((a, b) => order.indexOf(a.sealedColumn) - order.indexOf(b.sealedColumn))
}
