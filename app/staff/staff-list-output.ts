import type { StaffMember } from '~db/staff-members'
import { secondFactors, staffState } from './staff-state'

/**
 * The `staff list` command's output: a table for a person, one JSON array for
 * a script. Names and addresses go last, where their widths (kanji are two
 * columns on a terminal) cannot push other columns out of line.
 */

const COLUMNS = ['ID', 'ROLE', 'STATE', 'MFA', 'CREATED', 'NAME', 'E-MAIL'] as const

export function describeStaffList(staff: StaffMember[], now: Date) {
  if (staff.length === 0) return 'No staff accounts yet: `npm run staff -- create` makes one.'
  const rows = staff.map((member) => [
    member.id,
    member.role,
    staffState(member, now),
    secondFactors(member),
    member.createdAt.toISOString().slice(0, 10),
    member.name,
    member.email,
  ])
  const aligned = COLUMNS.length - 2
  const widths = COLUMNS.slice(0, aligned).map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  )
  return [[...COLUMNS], ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column < aligned ? cell.padEnd(widths[column] as number) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function staffListJson(staff: StaffMember[], now: Date) {
  return staff.map((member) => ({
    id: member.id,
    email: member.email,
    name: member.name,
    role: member.role,
    state: staffState(member, now),
    totp: member.hasTotp,
    passkeys: member.passkeys,
    recoveryCodes: member.unusedRecoveryCodes,
    passkeysRequired: member.passkeysRequired,
    enrolmentExpiresAt: member.passwordMustChange ? (member.enrolmentExpiresAt?.toISOString() ?? null) : null,
    disabledAt: member.disabledAt?.toISOString() ?? null,
    createdAt: member.createdAt.toISOString(),
  }))
}
