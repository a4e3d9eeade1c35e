import { type PortalDatabase, prepared } from './database'

/**
 * What staff did with cases lately, read back from the audit log: the log is
 * the one record of every look, so the insider budgets count there rather
 * than in a second tally that could drift from it. Every query starts from
 * the `audit_log_actor` or `audit_log_action` index and reads one staff
 * member's (or one action's) recent entries only.
 */

/** Different cases a staff member opened since `since` (ms), and whether `humanId` is among them. */
export async function casesOpenedSince(
  db: PortalDatabase,
  { staffId, since, humanId }: { staffId: string; since: number; humanId: number },
): Promise<{ count: number; includes: boolean }> {
  const row = await prepared<{ count: number; includes: number }>(
    db,
    `select count(distinct target_id) as count,
       coalesce(max(case when target_id = ? then 1 else 0 end), 0) as includes
     from audit_log
     where actor_kind = 'staff' and actor_id = ? and action = 'case.opened' and outcome = 'success'
       and at >= ?`,
  ).get(String(humanId), staffId, since)
  return { count: row?.count ?? 0, includes: row?.includes === 1 }
}

/** Values a staff member revealed since `since` (ms). */
export async function revealsSince(
  db: PortalDatabase,
  { staffId, since }: { staffId: string; since: number },
): Promise<number> {
  const reveals = await prepared(
    db,
    `select count(*) from audit_log
     where actor_kind = 'staff' and actor_id = ? and action = 'case.field_revealed' and outcome = 'success'
       and at >= ?`,
  ).value<number>(staffId, since)
  return reveals ?? 0
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
export async function summariseStaffActivity(db: PortalDatabase, since: number): Promise<StaffActivity[]> {
  return prepared<StaffActivity>(
    db,
    `select actor_id as "staffId",
       sum(case when action = 'case.searched' then 1 else 0 end) as searches,
       sum(case when action = 'case.opened' and outcome = 'success' then 1 else 0 end) as opens,
       sum(case when action = 'case.field_revealed' and outcome = 'success' then 1 else 0 end) as reveals,
       sum(case when action in ('case.notice_resent', 'case.letter_code_unlocked', 'case.sessions_ended',
                                'case.note_added', 'case.identity_confirmed') and outcome = 'success'
           then 1 else 0 end) as actions,
       sum(case when outcome = 'denied' and action != 'case.budget_exceeded' then 1 else 0 end) as refusals,
       sum(case when action = 'case.budget_exceeded' then 1 else 0 end) as "budgetAlerts",
       max(at) as "lastAt"
     from audit_log
     where at >= ? and actor_kind = 'staff' and action like 'case.%'
     group by actor_id
     order by "budgetAlerts" desc, opens desc, actor_id`,
  ).all(since)
}

/**
 * How often an hourly budget stopped anyone since `since`: the console home's
 * alert, on every load. From the `audit_log_action` index, so it reads the
 * alerts alone, not the day's thousands of searches the summary above reads.
 */
export async function countBudgetAlertsSince(db: PortalDatabase, since: number): Promise<number> {
  const alerts = await prepared(
    db,
    "select count(*) from audit_log where action = 'case.budget_exceeded' and at >= ?",
  ).value<number>(since)
  return alerts ?? 0
}
