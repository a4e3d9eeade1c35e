import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
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
export async function findReadiness(
  db: PortalDatabase,
  memberIdDigests: LookupDigests,
): Promise<{ openActions: RequiredAction[] } | undefined> {
  const subjectId = await prepared(
    db,
    `select a.subject_id from subjects s join member_accounts a on a.subject_id = s.id
     where s.cohort = 'member' and s.natural_id_index in (?, ?)`,
  ).value<number>(...memberIdDigests)
  return subjectId === undefined ? undefined : { openActions: await listOpenActions(db, subjectId) }
}

/** How many ready members the export reads at once: its memory stays the same however many there are. */
const READY_PAGE_ROWS = 1000

type ReadyRow = { subjectId: number; recordSealed: Buffer }

const READY_COLUMNS = `a.subject_id as "subjectId", s.record_sealed as "recordSealed"`
const READY_FROM = 'member_accounts a join subjects s on s.id = a.subject_id'
const NONE_OPEN = 'not exists (select 1 from member_required_actions r where r.subject_id = a.subject_id)'

/**
 * Every ready member's ID, in the order they became ready, a page at a time
 * (the list may be long), each page read where the last one ended (by the
 * `member_accounts_ready` index, not by skipping rows). The pages are
 * separate reads, not one snapshot, so the list is of the members ready when
 * it began: one who becomes ready meanwhile is left for the next export, and
 * one whose readiness ends and starts again meanwhile is listed at most once.
 * A member ready without a moment recorded (data older than `ready_at`) comes
 * first, as it always has (SQLite sorts a null first).
 */
export async function* readyMemberIds(db: PortalDatabase, keyring: Keyring): AsyncGenerator<string> {
  const memberId = (row: ReadyRow) =>
    unsealJson<SubjectRecord>({
      keyring,
      context: subjectRecordContext(row.subjectId),
      sealed: row.recordSealed,
    }).naturalId
  // Read first: a member who becomes ready again while the pages are read is past it.
  const lastReadyAt = await prepared(db, 'select max(ready_at) from member_accounts').value<number | null>()
  const unrecorded = prepared<ReadyRow>(
    db,
    `select ${READY_COLUMNS} from ${READY_FROM}
     where a.ready_at is null and a.subject_id > ? and ${NONE_OPEN}
     order by a.subject_id limit ?`,
  )
  for (let after = 0; ; ) {
    const rows = await unrecorded.all(after, READY_PAGE_ROWS)
    for (const row of rows) yield memberId(row)
    const last = rows.at(-1)
    if (!last || rows.length < READY_PAGE_ROWS) break
    after = last.subjectId
  }
  if (lastReadyAt === undefined || lastReadyAt === null) return
  const recorded = prepared<ReadyRow & { readyAt: number }>(
    db,
    `select ${READY_COLUMNS}, a.ready_at as "readyAt" from ${READY_FROM}
     where a.ready_at >= ? and (a.ready_at > ? or a.subject_id > ?) and a.ready_at <= ? and ${NONE_OPEN}
     order by a.ready_at, a.subject_id limit ?`,
  )
  for (let after = { readyAt: Number.MIN_SAFE_INTEGER, subjectId: 0 }; ; ) {
    const rows = await recorded.all(
      after.readyAt,
      after.readyAt,
      after.subjectId,
      lastReadyAt,
      READY_PAGE_ROWS,
    )
    for (const row of rows) yield memberId(row)
    const last = rows.at(-1)
    if (!last || rows.length < READY_PAGE_ROWS) break
    after = last
  }
}
