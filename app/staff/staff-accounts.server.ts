import { hashPassword } from '~/accounts/password-hash.server'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import type { StaffMemberRole } from '~db/schema'
import { setPasskeysRequired } from '~db/staff-factors'
import {
  findStaffMemberByEmail,
  insertStaffMember,
  listStaffMembers,
  markStaffMemberDisabled,
  type RemovedFactors,
  removeStaffFactors,
  type StaffEmail,
  type StaffMember,
  staffIdTaken,
} from '~db/staff-members'
import { deleteStaffSessionsOf } from '~db/staff-sessions'
import { enrolmentExpiry, newEnrolmentPassword } from './enrolment-password.server'
import { auditStaffChange, type StaffActor, type StaffAuditEntry } from './staff-audit.server'
import { newStaffId } from './staff-id.server'

/**
 * Creating, listing, disabling staff accounts and resetting their second
 * factors: what the `staff` command does, and supervisors at `/staff/people`.
 * Every change and every refusal is recorded (`auditStaffChange`) in the
 * change's own transaction, and returned to the caller.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; actor: StaffActor; now?: Date }

export type CreatedStaffMember = {
  ok: true
  id: string
  email: string
  name: string
  role: StaffMemberRole
  /** Shown once to whoever created the account, then only its argon2id hash exists. */
  enrolmentPassword: string
  expiresAt: Date
  audit: StaffAuditEntry
}

export type CreateRefused = { ok: false; reason: 'email-taken'; audit: StaffAuditEntry }

/**
 * A new account with a one-time enrolment password, valid 24 hours, which
 * must be replaced at the first sign-in. One address, one account: a second
 * one for the same address is refused, whatever its role.
 */
export async function createStaffMember({
  db,
  crypto,
  actor,
  email,
  name,
  role,
  now = new Date(),
  enrolmentPassword = newEnrolmentPassword(),
}: Context & {
  email: StaffEmail
  name: string
  role: StaffMemberRole
  /** Only the demo staff's fixed passwords are given; everyone else's is drawn here. */
  enrolmentPassword?: string
}): Promise<CreatedStaffMember | CreateRefused> {
  // Hashed before the transaction: nothing may await while SQLite holds it open.
  const enrolmentPasswordHash = await hashPassword(enrolmentPassword.normalize('NFKC'))
  const expiresAt = enrolmentExpiry(now)
  return withTransaction(db, async (tx): Promise<CreatedStaffMember | CreateRefused> => {
    let id = newStaffId()
    while (await staffIdTaken(tx, id)) id = newStaffId()
    const inserted = await insertStaffMember(tx, crypto, {
      id,
      email,
      name,
      role,
      enrolmentPasswordHash,
      enrolmentExpiresAt: expiresAt,
      now,
    })
    if (inserted === 'email-taken') {
      const audit = await auditStaffChange(tx, {
        actor,
        action: 'staff.created',
        target: null,
        outcome: 'refused',
        detail: { reason: 'email_taken', role },
      })
      return { ok: false, reason: 'email-taken', audit }
    }
    const audit = await auditStaffChange(tx, {
      actor,
      action: 'staff.created',
      target: { kind: 'staff', staffId: id },
      outcome: 'done',
      detail: { role, enrolmentValidHours: 24 },
    })
    return { ok: true, id, email: email.shown, name, role, enrolmentPassword, expiresAt, audit }
  })
}

/** The account of an e-mail address (normalised), or undefined. */
export async function findStaffMember({ db, crypto, email }: Omit<Context, 'actor'> & { email: string }) {
  return findStaffMemberByEmail(db, crypto, email)
}

/** Every account, opened, for the operator: oldest first. */
export async function listStaff({ db, crypto }: Omit<Context, 'actor'>): Promise<StaffMember[]> {
  return listStaffMembers(db, crypto.keyring)
}

export type AccountChange<Done> =
  | ({ outcome: 'done' | 'unchanged'; staffId: string; audit: StaffAuditEntry } & Done)
  | { outcome: 'unknown'; audit: StaffAuditEntry }

/**
 * The account can no longer sign in. Disabling twice changes nothing and
 * says so. Its staff sessions end in the same transaction.
 */
export async function disableStaffMember({
  db,
  crypto,
  actor,
  email,
  now = new Date(),
}: Context & { email: string }): Promise<AccountChange<object>> {
  return withTransaction(db, async (tx): Promise<AccountChange<object>> => {
    const member = await findStaffMemberByEmail(tx, crypto, email)
    if (!member) return unknownAccount(tx, actor, 'staff.disabled')
    const changed = await markStaffMemberDisabled(tx, { id: member.id, now })
    await deleteStaffSessionsOf(tx, { staffId: member.id })
    const outcome = changed ? 'done' : 'unchanged'
    const audit = await auditStaffChange(tx, {
      actor,
      action: 'staff.disabled',
      target: { kind: 'staff', staffId: member.id },
      outcome,
      detail: changed ? { role: member.role } : { reason: 'already_disabled' },
    })
    return { outcome, staffId: member.id, audit }
  })
}

/**
 * Every second factor of the account removed (authenticator app, its last
 * accepted step, recovery codes, passkeys), for someone who lost their phone
 * or key: the next sign-in enrols anew. Its staff sessions end in the same
 * transaction, so a session made with the lost factor does not outlive it.
 */
export async function resetStaffMfa({
  db,
  crypto,
  actor,
  email,
  now = new Date(),
}: Context & { email: string }): Promise<AccountChange<{ removed: RemovedFactors }>> {
  return withTransaction(db, async (tx): Promise<AccountChange<{ removed: RemovedFactors }>> => {
    const member = await findStaffMemberByEmail(tx, crypto, email)
    if (!member) return unknownAccount(tx, actor, 'staff.mfa_reset')
    const removed = await removeStaffFactors(tx, { id: member.id, now })
    await deleteStaffSessionsOf(tx, { staffId: member.id })
    const outcome = removed.totp || removed.recoveryCodes > 0 || removed.passkeys > 0 ? 'done' : 'unchanged'
    const audit = await auditStaffChange(tx, {
      actor,
      action: 'staff.mfa_reset',
      target: { kind: 'staff', staffId: member.id },
      outcome,
      detail: { totp: removed.totp, recoveryCodes: removed.recoveryCodes, passkeys: removed.passkeys },
    })
    return { outcome, staffId: member.id, removed, audit }
  })
}

/**
 * Passkeys only for the member (`required`), or app codes allowed again: a
 * supervisor's rule, for people whose work needs the phishing-resistant
 * factor. Sessions carry on: the rule applies at the next second factor.
 */
export async function requirePasskeys({
  db,
  crypto,
  actor,
  email,
  required,
  now = new Date(),
}: Context & { email: string; required: boolean }): Promise<AccountChange<object>> {
  return withTransaction(db, async (tx): Promise<AccountChange<object>> => {
    const member = await findStaffMemberByEmail(tx, crypto, email)
    if (!member) return unknownAccount(tx, actor, 'staff.passkey_required')
    const changed = await setPasskeysRequired(tx, { staffId: member.id, required, now })
    const outcome = changed ? 'done' : 'unchanged'
    const audit = await auditStaffChange(tx, {
      actor,
      action: 'staff.passkey_required',
      target: { kind: 'staff', staffId: member.id },
      outcome,
      detail: { required },
    })
    return { outcome, staffId: member.id, audit }
  })
}

async function unknownAccount(db: PortalDatabase, actor: StaffActor, action: StaffAuditEntry['action']) {
  const audit = await auditStaffChange(db, {
    actor,
    action,
    target: null,
    outcome: 'refused',
    detail: { reason: 'unknown_email' },
  })
  return { outcome: 'unknown' as const, audit }
}
