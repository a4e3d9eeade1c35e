import { type SqliteDatabase, sqliteStatement } from './client'

/**
 * What staff did with cases lately, read back from the audit log: the log is
 * the one record of every look, so the insider budgets count there rather
 * than in a second tally that could drift from it. Every query starts from
 * the `audit_log_actor` or `audit_log_action` index and reads one staff
 * member's (or one action's) recent entries only.
 */

/** Different cases a staff member opened since `since` (ms), and whether `humanId` is among them. */
export function casesOpenedSince(
  db: SqliteDatabase,
  { staffId, since, humanId }: { staffId: string; since: number; humanId: number },
): { count: number; includes: boolean } {
  const row = sqliteStatement(
    db,
    `select count(distinct target_id) as count, coalesce(max(target_id = :humanId), 0) as includes
     from audit_log
     where actor_kind = 'staff' and actor_id = :staffId and action = 'case.opened' and outcome = 'success'
       and at >= :since`,
  ).get({ staffId, since, humanId: String(humanId) }) as { count: number; includes: number }
  return { count: row.count, includes: row.includes === 1 }
}

/** Values a staff member revealed since `since` (ms). */
export function revealsSince(
  db: SqliteDatabase,
  { staffId, since }: { staffId: string; since: number },
): number {
  return sqliteStatement(
    db,
    `select count(*) from audit_log
     where actor_kind = 'staff' and actor_id = ? and action = 'case.field_revealed' and outcome = 'success'
       and at >= ?`,
  )
    .pluck()
    .get(staffId, since) as number
}

export type StaffActivity = {
  staffId: string
  searches: number
  opens: number
  reveals: number
  actions: number
  refusals: number
  budgetAlerts: number
  lastAt: number
}

/**
 * Per staff member since `since`: searches, case opens, reveals, other case
 * actions, refusals, and how often a budget stopped them. For supervisors'
 * activity page; read from the `audit_log_at` index over that window.
 */
export function summariseStaffActivity(db: SqliteDatabase, since: number): StaffActivity[] {
  return sqliteStatement(
    db,
    `select actor_id as staffId,
       sum(action = 'case.searched') as searches,
       sum(action = 'case.opened' and outcome = 'success') as opens,
       sum(action = 'case.field_revealed' and outcome = 'success') as reveals,
       sum(action in ('case.notice_resent', 'case.letter_code_unlocked', 'case.sessions_ended',
                      'case.note_added', 'case.identity_confirmed') and outcome = 'success') as actions,
       sum(outcome = 'denied' and action != 'case.budget_exceeded') as refusals,
       sum(action = 'case.budget_exceeded') as budgetAlerts,
       max(at) as lastAt
     from audit_log
     where at >= ? and actor_kind = 'staff' and action like 'case.%'
     group by actor_id
     order by budgetAlerts desc, opens desc, actor_id`,
  ).all(since) as StaffActivity[]
}

/**
 * How often an hourly budget stopped anyone since `since`: the console home's
 * alert, on every load. From the `audit_log_action` index, so it reads the
 * alerts alone, not the day's thousands of searches the summary above reads.
 */
export function countBudgetAlertsSince(db: SqliteDatabase, since: number): number {
  return sqliteStatement(
    db,
    "select count(*) from audit_log where action = 'case.budget_exceeded' and at >= ?",
  )
    .pluck()
    .get(since) as number
}
