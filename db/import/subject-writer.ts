import type { SqliteDatabase } from '../client'
import { categoryBit } from '../exposure-categories'
import { createInitialActionsWriter } from '../member-required-actions'
import { type Keyring, sealJson, unsealJson } from '../seal'
import { type SubjectRecord, subjectRecordContext } from '../subject-record'
import type { PreparedSubject } from './prepare'
import {
  SUBJECT_VERSION_COLUMNS,
  type SubjectVersion,
  sameSubject,
  type WriteCounts,
} from './subject-versions'

/**
 * Writing imported subjects, and a member's account with its required actions
 * beside each new member. The hot path of a million-row import uses prepared
 * statements directly: drizzle's builder costs more per row than the insert
 * itself.
 */

const CARD_BIT = categoryBit('card')

/** A stored subject as a re-import meets it: its version, and whether its member chose a new password. */
export type StoredSubject = SubjectVersion & { id: number; newPasswordSet: 0 | 1 }

/**
 * `bulk`: the table has no indexes yet (see bulk-load.ts), every row goes in and
 * duplicates are settled at the end.
 */
export function createSubjectWriter(
  db: SqliteDatabase,
  { keyring, bulk }: { keyring: Keyring; bulk: boolean },
) {
  const sqlite = db.$client
  const insert = sqlite.prepare(`
    insert into subjects (id, human_id, cohort, natural_id_index, email_index, phone_index, kana_birth_index,
      exposed_categories, record_sealed, cohort_from, cohort_until)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ${bulk ? '' : 'on conflict (cohort, natural_id_index) do nothing'}`)
  // One statement per batch gives the batch's new members their accounts, one more their actions.
  const insertAccounts = sqlite.prepare(`
    insert into member_accounts (subject_id)
    select id from subjects where id between ? and ? and cohort = 'member'`)
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
    for (const subject of batch) {
      // Positional parameters: binding by name costs more than the insert on this hot path.
      const inserted = insert.run(
        subject.id,
        subject.id,
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
        continue
      }
      const found = existing.get(subject.cohort, subject.naturalIdIndex) as StoredSubject
      const incoming = movedTo(keyring, subject, found)
      if (sameSubject(keyring, found, incoming)) {
        counts.unchanged++
        continue
      }
      update.run(incoming)
      counts.updated++
    }
    if (counts.inserted > 0) {
      // The batch's IDs ascend and every stored row's ID is below them (see reserveRowIds).
      insertAccounts.run(batch[0]?.id, batch.at(-1)?.id)
      openInitialActions(batch[0]?.id as number)
    }
    return counts
  })

  // Immediate: take the write lock before reading max(id), so no other writer can take that ID.
  return { writeBatch: (batch: PreparedSubject[]) => writeBatch.immediate(batch) }
}

/**
 * A new version of a stored subject, sealed for the stored row instead of the
 * ID reserved for it. A member who already chose a new password never gets
 * the exposed one back from a re-import.
 */
export function movedTo(keyring: Keyring, subject: PreparedSubject, stored: StoredSubject): PreparedSubject {
  const record = unsealJson<SubjectRecord>({
    keyring,
    context: subjectRecordContext(subject.id),
    sealed: subject.recordSealed,
  })
  if (stored.newPasswordSet) delete record.legacyPasswordHash
  const recordSealed = sealJson({ keyring, context: subjectRecordContext(stored.id), value: record })
  return { ...subject, id: stored.id, recordSealed }
}
