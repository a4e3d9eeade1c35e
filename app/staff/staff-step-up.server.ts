import type { StaffSession } from '~/staff/staff-session.server'

/**
 * Step-up ("sudo mode"): revealing a full value or any supervisor action needs
 * a second factor given within the last five minutes; otherwise the page sends
 * the staff member to give one and then back to where they were.
 *
 * Placeholder until the second-factor step lands: every session passes.
 */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000

export function requireRecentSecondFactor(_request: Request, _session: StaffSession): void {}
