import type { LookupDigests } from './blind-index'
import { type SqliteDatabase, sqliteStatement } from './client'
import { writeMeta } from './meta'

/**
 * What the app asks of the imported subjects: whether there are any, and
 * whose an e-mail address is, some human to stand in for one. The importer
 * writes them (see import/subject-writer.ts).
 */

export function countSubjects(db: SqliteDatabase) {
  return sqliteStatement(db, 'select count(*) from subjects').pluck().get() as number
}

const PEOPLE_CHANGED = 'people-changed-at'

/** Who is in the data changed (an import ran): figures drawn from every subject are stale. */
export function markPeopleChanged(db: SqliteDatabase, now = new Date()) {
  writeMeta(db, PEOPLE_CHANGED, now.toISOString())
}

/**
 * A value that changes whenever who is in the data may have: the last
 * import's mark and the newest subject's ID (an interrupted import adds rows
 * before it can mark). Two lookups by key, at any size.
 */
export function peopleVersion(db: SqliteDatabase): string {
  const row = sqliteStatement(
    db,
    `select (select value from portal_meta where key = '${PEOPLE_CHANGED}') as changed,
            (select max(id) from subjects) as newest`,
  ).get() as { changed: string | null; newest: number | null }
  return `${row.changed ?? ''}/${row.newest ?? 0}`
}

/**
 * The human an e-mail address belongs to, by its blind index (the address's
 * digests under the current index key and the previous one). A member who
 * replaced their address is found by the new one only: the old one was told it
 * no longer speaks for the account. Should two humans share one address, the
 * earliest record's human answers.
 */
export function findHumanIdByEmail(db: SqliteDatabase, emailDigests: LookupDigests): number | undefined {
  const [current, previous] = emailDigests
  return (
    (sqliteStatement(
      db,
      `select min(human_id) from (
         select s.human_id from member_accounts a join subjects s on s.id = a.subject_id
         where a.email_index in (?, ?)
         union all
         select s.human_id from subjects s left join member_accounts a on a.subject_id = s.id
         where s.email_index in (?, ?) and a.email_index is null)`,
    )
      .pluck()
      .get(current, previous, current, previous) as number | null) ?? undefined
  )
}

/**
 * Some human in the data, for work that must look like someone's and is then
 * undone (see `tentatively`); undefined only in an empty database.
 */
export function anyHumanId(db: SqliteDatabase): number | undefined {
  return (
    (sqliteStatement(db, 'select human_id from subjects order by id limit 1').pluck().get() as
      | number
      | undefined) ?? undefined
  )
}
