import { rmSync } from 'node:fs'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { DEMO_STAFF } from '~/staff/demo-staff.server'
import { Visitor } from './check-visitor'
import type { PortalServer } from './portal-server'
import { settleAll } from './settle-all'
import { type EnrolledStaff, enrolStaff } from './staff-authenticator'

/**
 * What the staff console's test files share around a built portal: the demo
 * staff through their first sign-in, and the cleaning up after the file.
 */

export type DemoStaffMember = (typeof DEMO_STAFF)[number]

export const [DEMO_SUPERVISOR, DEMO_AGENT] = DEMO_STAFF as [DemoStaffMember, DemoStaffMember]

/** The password the test files' staff choose at their first sign-in. */
export const STAFF_PASSWORD = 'copper kettles hum beside winter orchards'

/**
 * Each of `members` through the first sign-in on `portal`, one after another
 * (each with a visitor of its own, STAFF_PASSWORD as the new password), in
 * their order; the visitors leave signed in with both factors.
 */
export async function enrolDemoStaff<const Members extends readonly DemoStaffMember[]>(
  portal: PortalServer,
  members: Members,
): Promise<{ [K in keyof Members]: EnrolledStaff }> {
  const enrolled: EnrolledStaff[] = []
  for (const member of members) {
    enrolled.push(
      await enrolStaff(new Visitor(portal.url), {
        email: member.email,
        enrolmentPassword: member.enrolmentPassword,
        newPassword: STAFF_PASSWORD,
      }),
    )
  }
  // One for each of `members`, in their order.
  return enrolled as { [K in keyof Members]: EnrolledStaff }
}

/**
 * After a file's tests: `closing` (the portal's stop, browsers' close) waited
 * for, the password helpers this process started stopped, and the file's
 * folder removed (even when a step before failed).
 */
export async function closeStaffPortal(
  directory: string | undefined,
  ...closing: (Promise<unknown> | undefined)[]
) {
  try {
    await settleAll(...closing)
    await stopPasswordWork()
  } finally {
    if (directory) rmSync(directory, { recursive: true, force: true })
  }
}
