import { type PortalDatabase, prepared } from './client'
import type { RequiredAction } from './schema'

/**
 * The steps a member must still take before the shop reopens (Keycloak's
 * required actions). `ready_at` is set when the last one closes and cleared
 * when one opens again; the export and the shop's readiness API read it.
 */

/** Open actions after one is done; `ready_at` is set when the last one closes. */
export function closeAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  prepared(
    db,
    `update member_accounts set
       open_actions = (select coalesce(json_group_array(value), '[]') from json_each(open_actions) where value != ?),
       updated_at = ?
     where subject_id = ?`,
  ).run(action, now, subjectId)
  markReadyIfDone(db, { subjectId, now })
}

export function openAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  prepared(
    db,
    `update member_accounts set
       open_actions = case when exists (select 1 from json_each(open_actions) where value = ?)
                      then open_actions else json_insert(open_actions, '$[#]', ?) end,
       ready_at = null, updated_at = ?
     where subject_id = ?`,
  ).run(action, action, now, subjectId)
}

function markReadyIfDone(db: PortalDatabase, { subjectId, now }: { subjectId: number; now: number }) {
  prepared(
    db,
    `update member_accounts set ready_at = coalesce(ready_at, ?)
     where subject_id = ? and open_actions = '[]'`,
  ).run(now, subjectId)
}
