import type { LookupDigests } from './blind-index'
import { type SqliteDatabase, sqliteStatement } from './client'
import { listOpenActions } from './member-required-actions'
import type { RequiredAction } from './schema'
import { type Keyring, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * What others may learn of members' progress: the shop's readiness check for
 * one member, and the export of every member who is ready. Nothing personal
 * but the member ID the shop already holds.
 */

/**
 * What the shop may know about a member: the steps still open. Nothing
 * personal. Found by the member ID's digests under the current index key and
 * the previous one.
 */
export function findReadiness(
  db: SqliteDatabase,
  memberIdDigests: LookupDigests,
): { openActions: RequiredAction[] } | undefined {
  const subjectId = sqliteStatement(
    db,
    `select a.subject_id from subjects s join member_accounts a on a.subject_id = s.id
     where s.cohort = 'member' and s.natural_id_index in (?, ?)`,
  )
    .pluck()
    .get(...memberIdDigests) as number | undefined
  return subjectId === undefined ? undefined : { openActions: listOpenActions(db, subjectId) }
}

/** Every ready member's ID, in the order they became ready, one at a time (the list may be long). */
export function* readyMemberIds(db: SqliteDatabase, keyring: Keyring): Generator<string> {
  const rows = db.$client
    .prepare(
      `select s.id, s.record_sealed from member_accounts a join subjects s on s.id = a.subject_id
       where not exists (select 1 from member_required_actions r where r.subject_id = a.subject_id)
       order by a.ready_at, a.subject_id`,
    )
    .iterate() as IterableIterator<{ id: number; record_sealed: Buffer }>
  for (const row of rows) {
    yield unsealJson<SubjectRecord>({
      keyring,
      context: subjectRecordContext(row.id),
      sealed: row.record_sealed,
    }).naturalId
  }
}
