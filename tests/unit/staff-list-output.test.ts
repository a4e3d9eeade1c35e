import { describe, expect, it } from 'vitest'
import { describeStaffList, staffListJson } from '~/staff/staff-list-output'
import { secondFactors, staffState } from '~/staff/staff-state'
import type { StaffMember } from '~db/staff-members'

/** How the operator sees staff accounts: each account's state, its second factors, the table. */

const NOW = new Date('2026-12-04T09:00:00Z')
const later = (ms: number) => new Date(NOW.getTime() + ms)

function member(overrides: Partial<StaffMember> = {}): StaffMember {
  return {
    id: 'S0123456789',
    email: 'kanri@example.jp',
    name: '管理 太郎',
    role: 'agent',
    passwordHash: '$argon2id$…',
    enrolmentPasswordHash: '$argon2id$…',
    passwordMustChange: true,
    enrolmentExpiresAt: later(60_000),
    passwordChangedAt: null,
    disabledAt: null,
    failedSignIns: 0,
    lockedUntil: null,
    totpLastStep: null,
    passkeysRequired: false,
    createdAt: NOW,
    updatedAt: NOW,
    hasTotp: false,
    passkeys: 0,
    unusedRecoveryCodes: 0,
    ...overrides,
  }
}

describe("a staff account's state", () => {
  it('is disabled above all, then locked while the lock lasts, then enrolling until the password is changed', () => {
    expect(staffState(member(), NOW)).toBe('enrolling')
    expect(staffState(member({ enrolmentExpiresAt: NOW }), NOW)).toBe('enrolment-expired')
    expect(staffState(member({ passwordMustChange: false, enrolmentExpiresAt: null }), NOW)).toBe('active')
    expect(staffState(member({ lockedUntil: later(1) }), NOW)).toBe('locked')
    expect(staffState(member({ lockedUntil: NOW, passwordMustChange: false }), NOW)).toBe('active')
    expect(staffState(member({ disabledAt: NOW, lockedUntil: later(1) }), NOW)).toBe('disabled')
  })

  it('names its second factors', () => {
    expect(secondFactors(member())).toBe('none')
    expect(secondFactors(member({ hasTotp: true }))).toBe('app')
    expect(secondFactors(member({ hasTotp: true, passkeys: 2 }))).toBe('2 passkeys, app')
    expect(secondFactors(member({ passkeys: 1 }))).toBe('1 passkey')
  })
})

describe('the list of staff accounts', () => {
  it('says how to make one when there are none', () => {
    expect(describeStaffList([], NOW)).toBe('No staff accounts yet: `npm run staff -- create` makes one.')
    expect(staffListJson([], NOW)).toEqual([])
  })

  it('aligns the columns before the name and address, and never shows a password hash', () => {
    const table = describeStaffList(
      [member(), member({ id: 'S9876543210', role: 'supervisor', disabledAt: NOW, email: 'b@example.jp' })],
      NOW,
    )
    expect(table.split('\n')).toEqual([
      'ID           ROLE        STATE      MFA   CREATED     NAME  E-MAIL',
      'S0123456789  agent       enrolling  none  2026-12-04  管理 太郎  kanri@example.jp',
      'S9876543210  supervisor  disabled   none  2026-12-04  管理 太郎  b@example.jp',
    ])
    expect(JSON.stringify(staffListJson([member()], NOW))).not.toContain('argon2')
  })
})
