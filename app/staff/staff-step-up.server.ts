import { redirect } from '@remix-run/node'
import type { StaffSession } from '~/staff/staff-session.server'

/**
 * Step-up ("sudo mode"): revealing a full value or any supervisor action needs
 * a second factor given within the last five minutes. Otherwise the page sends
 * the staff member to give one (`/staff/login/mfa?next=…`) and then back to
 * the page they were on, where they repeat the action: a form is never
 * replayed on their behalf.
 */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000

// A staff path, nothing else: `next` must never send anyone off the console or to another site.
// Each segment starts with a letter or digit, so `.` and `..` cannot climb out of /staff.
const STAFF_PATH = /^\/staff(?:\/[A-Za-z0-9][A-Za-z0-9._~-]*)*\/?$/
const NEXT_MAX = 200

/** Where to go after the second factor: a staff page named by `next`, or the console's home. */
export function stepUpReturn(next: string | null | undefined) {
  if (!next || next.length > NEXT_MAX || !STAFF_PATH.test(next) || next.startsWith('/staff/login')) {
    return '/staff'
  }
  return next
}

export function hasRecentSecondFactor(session: StaffSession, now = Date.now()) {
  return session.secondFactorAt !== null && now - session.secondFactorAt < STEP_UP_WINDOW_MS
}

export function requireRecentSecondFactor(request: Request, session: StaffSession, now = Date.now()): void {
  if (hasRecentSecondFactor(session, now)) return
  throw stepUpRedirect(request)
}

/** To the second factor, then back to this page: for an action whose own module found the factor stale. */
export function stepUpRedirect(request: Request) {
  const next = stepUpReturn(new URL(request.url).pathname)
  return redirect(`/staff/login/mfa?next=${encodeURIComponent(next)}`, {
    status: 303,
    headers: { 'Cache-Control': 'no-store' },
  })
}
