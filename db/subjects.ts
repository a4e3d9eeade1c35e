import { type PortalDatabase, prepared } from './client'
import { categoryBit } from './exposure-categories'
import type { PreparedCard, PreparedSubject } from './import/prepare'
import { createInitialActionsWriter } from './member-required-actions'
import type { Cohort } from './schema'
import { type Keyring, sealJson, unseal, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * Writing imported subjects. The hot path of a million-row import uses
 * prepared statements directly (drizzle's builder costs more per row than the
 * insert itself); everything else about subjects goes through drizzle.
 */

export type WriteCounts = { inserted: number; updated: number; unchanged: number }

const CARD_BIT = categoryBit('card')

/**
 * One version of a subject as stored or about to be: enough to tell whether two
 * say the same. Not a `Subject` pick: times are epoch milliseconds here, as the
 * hand-written SQL reads and writes them, where drizzle's `timestamp_ms` gives Dates.
 */
export type SubjectVersion = {
  cohort: Cohort
  naturalIdIndex: Uint8Array
  recordSealed: Uint8Array
  cohortFrom: number | null
  cohortUntil: number | null
}

type StoredSubject = SubjectVersion & { id: number; newPasswordSet: 0 | 1 }

/**
 * Whether two versions of a record say the same. Compared in the clear: a
 * keyed MAC of every record would cost each first import more than decrypting
 * the few records a re-import meets.
 */
export function sameSubject(keyring: Keyring, a: SubjectVersion, b: SubjectVersion) {
  const context = subjectRecordContext(a.cohort, a.naturalIdIndex)
  const open = (sealed: Uint8Array) => unseal({ keyring, context, sealed }).toString('utf8')
  return (
    a.cohortFrom === b.cohortFrom &&
    a.cohortUntil === b.cohortUntil &&
    open(a.recordSealed) === open(b.recordSealed)
  )
}

/** Columns of a stored subject under the names of SubjectVersion. */
export const SUBJECT_VERSION_COLUMNS = `s.id, s.cohort, s.natural_id_index as naturalIdIndex, s.record_sealed as recordSealed,
  s.cohort_from as cohortFrom, s.cohort_until as cohortUntil`

/**
 * `bulk`: the table has no indexes yet (see bulk-load.ts), every row goes in and
 * duplicates are settled at the end.
 */
export function createSubjectWriter(
  db: PortalDatabase,
  { keyring, bulk }: { keyring: Keyring; bulk: boolean },
) {
  const sqlite = db.$client
  const nextId = sqlite.prepare('select coalesce(max(id), 0) + 1 from subjects').pluck()
  const insert = sqlite.prepare(`
    insert into subjects (id, human_id, cohort, natural_id_index, email_index, phone_index, kana_birth_index,
      exposed_categories, record_sealed, cohort_from, cohort_until)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ${bulk ? '' : 'on conflict (cohort, natural_id_index) do nothing'}`)
  // One statement per batch gives the batch's new members their accounts, one more their actions.
  const insertAccounts = sqlite.prepare(`
    insert into member_accounts (subject_id)
    select id from subjects where id >= ? and cohort = 'member'`)
  const openInitialActions = createInitialActionsWriter(db)
  const existing = sqlite.prepare(`
    select ${SUBJECT_VERSION_COLUMNS}, a.password_hash is not null as newPasswordSet
    from subjects s left join member_accounts a on a.subject_id = s.id
    where s.cohort = ? and s.natural_id_index = ?`)
  const update = sqlite.prepare(`
    update subjects set email_index = @emailIndex, phone_index = @phoneIndex, kana_birth_index = @kanaBirthIndex,
      exposed_categories = @exposedCategories | (exposed_categories & ${CARD_BIT}),
      record_sealed = @recordSealed, cohort_from = @cohortFrom,
      cohort_until = @cohortUntil, updated_at = cast(unixepoch('subsec') * 1000 as integer)
    where id = @id`)

  const writeBatch = sqlite.transaction((batch: PreparedSubject[]): WriteCounts => {
    const counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0 }
    const firstId = nextId.get() as number
    let id = firstId
    for (const subject of batch) {
      // Positional parameters: binding by name costs more than the insert on this hot path.
      const inserted = insert.run(
        id,
        id,
        subject.cohort,
        subject.naturalIdIndex,
        subject.emailIndex,
        subject.phoneIndex,
        subject.kanaBirthIndex,
        subject.exposedCategories,
        subject.recordSealed,
        subject.cohortFrom,
        subject.cohortUntil,
      )
      if (inserted.changes === 1) {
        counts.inserted++
        id++
        continue
      }
      const found = existing.get(subject.cohort, subject.naturalIdIndex) as StoredSubject
      const incoming = found.newPasswordSet ? withoutLegacyPassword(keyring, subject) : subject
      if (sameSubject(keyring, found, incoming)) {
        counts.unchanged++
        continue
      }
      update.run({ ...incoming, id: found.id })
      counts.updated++
    }
    if (id > firstId) {
      insertAccounts.run(firstId)
      openInitialActions(firstId)
    }
    return counts
  })

  // Immediate: take the write lock before reading max(id), so no other writer can take that ID.
  return { writeBatch: (batch: PreparedSubject[]) => writeBatch.immediate(batch) }
}

/** A member who already chose a new password never gets the exposed one back from a re-import. */
function withoutLegacyPassword(keyring: Keyring, subject: PreparedSubject): PreparedSubject {
  const context = subjectRecordContext(subject.cohort, subject.naturalIdIndex)
  const { legacyPasswordHash: _, ...record } = unsealJson<SubjectRecord>({
    keyring,
    context,
    sealed: subject.recordSealed,
  })
  return { ...subject, recordSealed: sealJson({ keyring, context, value: record }) }
}

export type CardWriteCounts = WriteCounts & { unknownMember: number[] }

export function createCardWriter(db: PortalDatabase) {
  const sqlite = db.$client
  const member = sqlite
    .prepare("select id from subjects where cohort = 'member' and natural_id_index = ?")
    .pluck()
  const insert = sqlite.prepare(`
    insert into stored_cards (subject_id, card_index, card_sealed) values (?, ?, ?)
    on conflict (subject_id, card_index) do nothing`)
  const markExposed = sqlite.prepare(
    `update subjects set exposed_categories = exposed_categories | ${CARD_BIT} where id = ?`,
  )

  /** Returns the counts, and the positions in the batch of cards whose member is unknown. */
  const writeBatch = sqlite.transaction((batch: PreparedCard[]): CardWriteCounts => {
    const counts: CardWriteCounts = { inserted: 0, updated: 0, unchanged: 0, unknownMember: [] }
    batch.forEach((card, position) => {
      const subjectId = member.get(card.memberIdIndex) as number | undefined
      if (subjectId === undefined) {
        counts.unknownMember.push(position)
        return
      }
      if (insert.run(subjectId, card.cardIndex, card.cardSealed).changes === 1) {
        markExposed.run(subjectId)
        counts.inserted++
      } else {
        counts.unchanged++
      }
    })
    return counts
  })

  return { writeBatch: (batch: PreparedCard[]) => writeBatch.immediate(batch) }
}

/**
 * An auction buyer and a member who share a phone number are one human: the
 * buyer takes the member's human ID (the lowest, where several match).
 */
export function linkBuyersToMembers(db: PortalDatabase) {
  const sqlite = db.$client
  const link = sqlite.prepare(`
    update subjects as buyer set human_id = (
      select min(member.human_id) from subjects as member
      where member.cohort = 'member' and member.phone_index = buyer.phone_index)
    where buyer.cohort = 'auction_buyer' and buyer.phone_index is not null
      and exists (select 1 from subjects as member
        where member.cohort = 'member' and member.phone_index = buyer.phone_index
          and member.human_id <> buyer.human_id)`)
  return sqlite.transaction(() => link.run().changes).immediate()
}

export function countSubjects(db: PortalDatabase) {
  return prepared(db, 'select count(*) from subjects').pluck().get() as number
}

/**
 * The human an e-mail address belongs to, by its blind index. A member who
 * replaced their address is found by the new one only: the old one was told it
 * no longer speaks for the account. Should two humans share one address, the
 * earliest record's human answers.
 */
export function findHumanIdByEmail(db: PortalDatabase, emailIndex: Buffer): number | undefined {
  return (
    (prepared(
      db,
      `select min(human_id) from (
         select s.human_id from member_accounts a join subjects s on s.id = a.subject_id where a.email_index = ?
         union all
         select s.human_id from subjects s left join member_accounts a on a.subject_id = s.id
         where s.email_index = ? and a.email_index is null)`,
    )
      .pluck()
      .get(emailIndex, emailIndex) as number | null) ?? undefined
  )
}

/**
 * Some human in the data, for work that must look like someone's and is then
 * undone (see `tentatively`); undefined only in an empty database.
 */
export function anyHumanId(db: PortalDatabase): number | undefined {
  return (
    (prepared(db, 'select human_id from subjects order by id limit 1').pluck().get() as number | undefined) ??
    undefined
  )
}
