import { type PortalDatabase, prepared } from './client'
import { exposedContext } from './member-accounts'
import type { RequiredAction } from './schema'
import { type Keyring, unsealJson } from './seal'
import type { SubjectRecord } from './subject-record'

/**
 * What others may learn of members' progress: the shop's readiness check for
 * one member, and the export of every member who is ready. Nothing personal
 * but the member ID the shop already holds.
 */

/** What the shop may know about a member: the steps still open. Nothing personal. */
export function findReadiness(
  db: PortalDatabase,
  memberIdIndex: Buffer,
): { openActions: RequiredAction[] } | undefined {
  const row = prepared(
    db,
    `select a.open_actions from subjects s join member_accounts a on a.subject_id = s.id
     where s.cohort = 'member' and s.natural_id_index = ?`,
  ).get(memberIdIndex) as { open_actions: string } | undefined
  return row && { openActions: JSON.parse(row.open_actions) as RequiredAction[] }
}

/** Every ready member's ID, in the order they became ready, one at a time (the list may be long). */
export function* readyMemberIds(db: PortalDatabase, keyring: Keyring): Generator<string> {
  const rows = db.$client
    .prepare(
      `select s.natural_id_index, s.record_sealed from member_accounts a join subjects s on s.id = a.subject_id
       where a.open_actions = '[]' order by a.ready_at, a.subject_id`,
    )
    .iterate() as IterableIterator<{ natural_id_index: Buffer; record_sealed: Buffer }>
  for (const row of rows) {
    yield unsealJson<SubjectRecord>({
      keyring,
      context: exposedContext(row.natural_id_index),
      sealed: row.record_sealed,
    }).naturalId
  }
}
