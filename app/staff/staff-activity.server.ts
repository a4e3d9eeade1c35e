import { countBudgetAlertsSince, type StaffActivity, summariseStaffActivity } from '~db/case-activity'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { listStaffMembers } from '~db/staff-members'

/**
 * What supervisors watch for: each staff member's case work over the last
 * day (searches, opens, reveals, actions, refusals), and who met an hourly
 * budget, most alerted first. Names are opened here for the supervisor's
 * eyes only; the log itself holds IDs.
 */

export const ACTIVITY_WINDOW_MS = 24 * 60 * 60 * 1000

export type StaffActivityRow = StaffActivity & { name: string | null }

export async function staffActivity({
  db,
  crypto,
  now = Date.now(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  now?: number
}): Promise<{ rows: StaffActivityRow[]; alerts: number; since: number }> {
  const since = now - ACTIVITY_WINDOW_MS
  const names = new Map(
    (await listStaffMembers(db, crypto.keyring)).map((member) => [member.id, member.name]),
  )
  const rows = (await summariseStaffActivity(db, since)).map((row) => ({
    ...row,
    name: names.get(row.staffId) ?? null,
  }))
  return { rows, alerts: rows.reduce((sum, row) => sum + row.budgetAlerts, 0), since }
}

/** How many times a budget stopped someone in the last day: the dashboard's alert. */
export async function budgetAlertCount({
  db,
  now = Date.now(),
}: {
  db: PortalDatabase
  now?: number
}): Promise<number> {
  return countBudgetAlertsSince(db, now - ACTIVITY_WINDOW_MS)
}
