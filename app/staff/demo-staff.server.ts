import { hashPassword } from '~/accounts/password-hash.server'
import type { PortalDatabase } from '~db/database'
import { normaliseEmail } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { StaffMemberRole } from '~db/schema'
import { findStaffMemberByEmail, renewEnrolmentPassword } from '~db/staff-members'
import { enrolmentExpiry } from './enrolment-password.server'
import { createStaffMember } from './staff-accounts.server'

/**
 * The demo database's two staff accounts, whose enrolment passwords the
 * README gives (README.md, "Demo staff"). Known passwords: they exist only
 * outside production, and production refuses to start while they exist.
 */
export const DEMO_STAFF: readonly {
  email: string
  name: string
  role: StaffMemberRole
  enrolmentPassword: string
}[] = [
  {
    email: 'sato.supervisor@example.jp',
    name: '佐藤 デモ',
    role: 'supervisor',
    enrolmentPassword: 'demo-supervisor-sato-enrol',
  },
  {
    email: 'suzuki.agent@example.jp',
    name: '鈴木 デモ',
    role: 'agent',
    enrolmentPassword: 'demo-agent-suzuki-enrol',
  },
]

const matched = (email: string) => normaliseEmail(email) as string

/**
 * Each demo staff member present, with their documented enrolment password
 * working for the next 24 hours unless they have set their own: missing ones
 * are created, expired enrolments renewed, so the README's passwords work on
 * any day. Answers how many were created or renewed.
 */
export async function ensureDemoStaff({
  db,
  crypto,
  now = new Date(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  now?: Date
}) {
  let touched = 0
  for (const demo of DEMO_STAFF) {
    const existing = await findStaffMemberByEmail(db, crypto, matched(demo.email))
    if (!existing) {
      const created = await createStaffMember({
        db,
        crypto,
        actor: { kind: 'system', via: 'demo-data' },
        email: { shown: demo.email, matched: matched(demo.email) },
        name: demo.name,
        role: demo.role,
        enrolmentPassword: demo.enrolmentPassword,
        now,
      })
      if (created.ok) touched++
    } else if (existing.passwordMustChange && (existing.enrolmentExpiresAt ?? now) <= now) {
      const enrolmentPasswordHash = await hashPassword(demo.enrolmentPassword)
      const expiresAt = enrolmentExpiry(now)
      if (await renewEnrolmentPassword(db, { id: existing.id, enrolmentPasswordHash, expiresAt, now })) {
        touched++
      }
    }
  }
  return touched
}

/** Whether any demo staff account is in this database (production must not start then). */
export async function demoStaffPresent({ db, crypto }: { db: PortalDatabase; crypto: PortalCrypto }) {
  for (const demo of DEMO_STAFF) {
    if ((await findStaffMemberByEmail(db, crypto, matched(demo.email))) !== undefined) return true
  }
  return false
}
