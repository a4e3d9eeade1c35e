import type { SqliteDatabase } from './client'
import { type PortalDatabase, prepared } from './database'
import { REQUIRED_ACTIONS, type RequiredAction } from './schema'

/**
 * The steps a member must still take before the shop reopens (Keycloak's
 * required actions), one row each in `member_required_actions`. `ready_at` on
 * the account is set when the last one closes and cleared when one opens
 * again. Whether a member has any open is asked in SQL where it is needed
 * (`exists (select 1 from member_required_actions …)`); everything else about
 * the rows is here.
 */

/** Every imported member starts with these: a new password, then their details confirmed. */
export const INITIAL_ACTIONS: readonly RequiredAction[] = ['reset_password', 'reconfirm_details']

/** The member's open actions, in the order they are led through them. */
export async function listOpenActions(db: PortalDatabase, subjectId: number): Promise<RequiredAction[]> {
  const open = (
    await prepared<{ action: RequiredAction }>(
      db,
      'select action from member_required_actions where subject_id = ?',
    ).all(subjectId)
  ).map((row) => row.action)
  return REQUIRED_ACTIONS.filter((action) => open.includes(action))
}

/**
 * For the importer's batches: gives every account from `firstSubjectId` on
 * (the batch's new members) the initial actions, in one statement. On the
 * importer's own SQLite connection, synchronous like the rest of its bulk load.
 */
export function createInitialActionsWriter(db: SqliteDatabase) {
  const insert = db.$client.prepare(`
    insert into member_required_actions (subject_id, action)
    select a.subject_id, initial.column1
    from member_accounts a cross join (values ${INITIAL_ACTIONS.map(() => '(?)').join(', ')}) initial
    where a.subject_id >= ?`)
  return (firstSubjectId: number) => insert.run(...INITIAL_ACTIONS, firstSubjectId)
}

/** One action is done; `ready_at` is set when it was the last. */
export async function closeAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  await prepared(db, 'delete from member_required_actions where subject_id = ? and action = ?').run(
    subjectId,
    action,
  )
  await prepared(db, 'update member_accounts set updated_at = ? where subject_id = ?').run(now, subjectId)
  await markReadyIfDone(db, { subjectId, now })
}

/** An action is open (again, or still): the member is not ready until it closes. */
export async function openAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  await prepared(
    db,
    `insert into member_required_actions (subject_id, action)
     select subject_id, ? from member_accounts where subject_id = ?
     on conflict (subject_id, action) do nothing`,
  ).run(action, subjectId)
  await prepared(db, 'update member_accounts set ready_at = null, updated_at = ? where subject_id = ?').run(
    now,
    subjectId,
  )
}

async function markReadyIfDone(db: PortalDatabase, { subjectId, now }: { subjectId: number; now: number }) {
  await prepared(
    db,
    `update member_accounts set ready_at = coalesce(ready_at, ?)
     where subject_id = ? and not exists (select 1 from member_required_actions where subject_id = ?)`,
  ).run(now, subjectId, subjectId)
}
