import { type PortalDatabase, prepared } from './client'

/**
 * What the app asks of the imported subjects: whether there are any, and
 * whose an e-mail address is, some human to stand in for one. The importer
 * writes them (see import/subject-writer.ts).
 */

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
