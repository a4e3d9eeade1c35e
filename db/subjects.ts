import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import { writeMeta } from './meta'

/**
 * What the app asks of the imported subjects: whether there are any, and
 * whose an e-mail address is, some human to stand in for one. The importer
 * writes them (see import/subject-writer.ts).
 */

export async function countSubjects(db: PortalDatabase): Promise<number> {
  return (await prepared(db, 'select count(*) from subjects').value<number>()) ?? 0
}

const PEOPLE_CHANGED = 'people-changed-at'

/** Who is in the data changed (an import ran): figures drawn from every subject are stale. */
export async function markPeopleChanged(db: PortalDatabase, now = new Date()) {
  await writeMeta(db, PEOPLE_CHANGED, now.toISOString())
}

/**
 * A value that changes whenever who is in the data may have: the last
 * import's mark and the newest subject's ID (an interrupted import adds rows
 * before it can mark). Two lookups by key, at any size.
 */
export async function peopleVersion(db: PortalDatabase): Promise<string> {
  const row = await prepared<{ changed: string | null; newest: number | null }>(
    db,
    `select (select value from portal_meta where key = '${PEOPLE_CHANGED}') as changed,
            (select max(id) from subjects) as newest`,
  ).get()
  return `${row?.changed ?? ''}/${row?.newest ?? 0}`
}

// Who holds an address, by its two digests (each given twice): see findHumanIdByEmail.
const EMAIL_HOLDER = `min(human_id) from (
    select s.human_id from member_accounts a join subjects s on s.id = a.subject_id
    where a.email_index in (?, ?)
    union all
    select s.human_id from subjects s left join member_accounts a on a.subject_id = s.id
    where s.email_index in (?, ?) and a.email_index is null) as holders`

/**
 * The human an e-mail address belongs to, by its blind index (the address's
 * digests under the current index key and the previous one). A member who
 * replaced their address is found by the new one only: the old one was told it
 * no longer speaks for the account. Should two humans share one address, the
 * earliest record's human answers.
 */
export async function findHumanIdByEmail(
  db: PortalDatabase,
  emailDigests: LookupDigests,
): Promise<number | undefined> {
  const [current, previous] = emailDigests
  const humanId = await prepared(db, `select ${EMAIL_HOLDER}`).value<number | null>(
    current,
    previous,
    current,
    previous,
  )
  return humanId ?? undefined
}

/**
 * As `findHumanIdByEmail`, and with it some human in the data (`standIn`,
 * undefined only in an empty database), for work that must look like
 * someone's and is then undone (see `tentatively`): both in one statement,
 * one round trip to a database server instead of two.
 */
export async function findEmailHolderAndStandIn(
  db: PortalDatabase,
  emailDigests: LookupDigests,
): Promise<{ humanId?: number; standIn?: number }> {
  const [current, previous] = emailDigests
  const row = await prepared<{ humanId: number | null; standIn: number | null }>(
    db,
    `select (select ${EMAIL_HOLDER}) as "humanId",
       (select human_id from subjects order by id limit 1) as "standIn"`,
  ).get(current, previous, current, previous)
  return { humanId: row?.humanId ?? undefined, standIn: row?.standIn ?? undefined }
}
