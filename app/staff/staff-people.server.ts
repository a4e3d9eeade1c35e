import { dateFormat } from '~/i18n/date-format'
import { type PortalDatabase, withTransaction } from '~db/database'
import { normaliseEmail } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { StaffMemberRole } from '~db/schema'
import { findStaffMemberById, type StaffEmail, type StaffMember } from '~db/staff-members'
import {
  createStaffMember,
  disableStaffMember,
  listStaff,
  requirePasskeys,
  resetStaffMfa,
} from './staff-accounts.server'
import { auditStaffChange, type StaffActor } from './staff-audit.server'
import { type StaffState, staffState } from './staff-state'

/**
 * What `/staff/people` does for a supervisor, on top of the account functions
 * the `staff` command uses: the list as the page shows it, and the changes
 * named by a member's public ID (the page has IDs, the account functions take
 * addresses). A supervisor never disables or resets their own account here:
 * disabling would lock them out mid-task, and a reset on the strength of a
 * session alone would let whoever holds that session (perhaps not its owner)
 * strip the factors that guard the account. Another supervisor, or the
 * operator, does either.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; supervisorId: string; now?: Date }

export type PersonRow = {
  id: string
  name: string
  email: string
  role: StaffMemberRole
  state: StaffState
  passkeys: number
  totp: boolean
  /** A supervisor's rule: passkeys only, app codes refused. */
  passkeysRequired: boolean
  /** The day the account was made, in Japan time and the reader's language. */
  created: string
  /** The supervisor looking at the list: no buttons on their own row. */
  self: boolean
}

export async function listPeople({
  db,
  crypto,
  supervisorId,
  language,
  now = new Date(),
}: Context & { language: string }): Promise<PersonRow[]> {
  const day = dateFormat(language, { dateStyle: 'medium' })
  return (await listStaff({ db, crypto })).map((member) => ({
    id: member.id,
    name: member.name,
    email: member.email,
    role: member.role,
    state: staffState(member, now),
    passkeys: member.passkeys,
    totp: member.hasTotp,
    passkeysRequired: member.passkeysRequired,
    created: day.format(member.createdAt),
    self: member.id === supervisorId,
  }))
}

const actorOf = (supervisorId: string): StaffActor => ({ kind: 'staff', staffId: supervisorId })

export type AddedPerson =
  | {
      ok: true
      /**
       * The enrolment password is for this one answer only: never stored in the clear, logged
       * or put in a URL. The expiry is formatted for the reader (Japan time).
       */
      created: {
        id: string
        name: string
        email: string
        role: StaffMemberRole
        enrolmentPassword: string
        expiresAt: string
      }
    }
  | { ok: false; reason: 'email-taken' }

export async function addPerson({
  db,
  crypto,
  supervisorId,
  email,
  name,
  role,
  language,
}: Context & {
  email: StaffEmail
  name: string
  role: StaffMemberRole
  language: string
}): Promise<AddedPerson> {
  const result = await createStaffMember({ db, crypto, actor: actorOf(supervisorId), email, name, role })
  if (!result.ok) return { ok: false, reason: result.reason }
  const { id, enrolmentPassword, expiresAt } = result
  return {
    ok: true,
    created: {
      id,
      name: result.name,
      email: result.email,
      role,
      enrolmentPassword,
      expiresAt: dateFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(expiresAt),
    },
  }
}

export type PersonChange = 'disable' | 'reset-mfa' | 'require-passkeys' | 'allow-app-codes'

const CHANGE_ACTIONS = {
  disable: 'staff.disabled',
  'reset-mfa': 'staff.mfa_reset',
  'require-passkeys': 'staff.passkey_required',
  'allow-app-codes': 'staff.passkey_required',
} as const

export type PersonToChange = { id: string; name: string; email: string; role: StaffMemberRole }

export type ChangeRefusal = { ok: false; reason: 'self' | 'unknown' | 'noPasskey' }

/**
 * The member a change would apply to, for the page that asks to confirm it;
 * the refusals the change itself would give, given now (and recorded).
 */
export async function personToChange({
  db,
  crypto,
  supervisorId,
  staffId,
  change,
}: Context & { staffId: string; change: PersonChange }): Promise<
  { ok: true; person: PersonToChange } | ChangeRefusal
> {
  const member = await findStaffMemberById(db, crypto.keyring, staffId)
  const refusal = await refuse(db, { supervisorId, member, change })
  if (refusal) return refusal
  const { id, name, email, role } = member as StaffMember
  return { ok: true, person: { id, name, email, role } }
}

export type ChangeDone = { ok: true; outcome: 'done' | 'unchanged'; person: PersonToChange }

/**
 * Disables the account or removes its second factors; either way its
 * sessions end in the same transaction (the account functions do that), so
 * whoever holds one is signed out at their next request.
 */
export async function changePerson({
  db,
  crypto,
  supervisorId,
  staffId,
  change,
  now = new Date(),
}: Context & { staffId: string; change: PersonChange }): Promise<ChangeDone | ChangeRefusal> {
  return withTransaction(db, async (tx): Promise<ChangeDone | ChangeRefusal> => {
    const member = await findStaffMemberById(tx, crypto.keyring, staffId)
    const refusal = await refuse(tx, { supervisorId, member, change })
    if (refusal || !member) return refusal ?? { ok: false, reason: 'unknown' }
    // Stored addresses were normalised once already; this only finds the same index again.
    const email = normaliseEmail(member.email) ?? member.email
    const actor = actorOf(supervisorId)
    const result =
      change === 'disable'
        ? await disableStaffMember({ db: tx, crypto, actor, email, now })
        : change === 'reset-mfa'
          ? await resetStaffMfa({ db: tx, crypto, actor, email, now })
          : await requirePasskeys({
              db: tx,
              crypto,
              actor,
              email,
              required: change === 'require-passkeys',
              now,
            })
    if (result.outcome === 'unknown') return { ok: false, reason: 'unknown' }
    const { id, name, role } = member
    return { ok: true, outcome: result.outcome, person: { id, name, email: member.email, role } }
  })
}

/** A refusal of the change, recorded as one; undefined when it may go ahead. */
async function refuse(
  db: PortalDatabase,
  {
    supervisorId,
    member,
    change,
  }: { supervisorId: string; member: StaffMember | undefined; change: PersonChange },
): Promise<ChangeRefusal | undefined> {
  // Passkeys only, for someone with none, would leave them nothing but their recovery codes.
  const reason = !member
    ? 'unknown'
    : member.id === supervisorId
      ? 'self'
      : change === 'require-passkeys' && member.passkeys === 0
        ? 'noPasskey'
        : undefined
  if (!reason) return undefined
  await auditStaffChange(db, {
    actor: actorOf(supervisorId),
    action: CHANGE_ACTIONS[change],
    target: member ? { kind: 'staff', staffId: member.id } : null,
    outcome: 'refused',
    detail: {
      reason: reason === 'self' ? 'own_account' : reason === 'noPasskey' ? 'no_passkey' : 'unknown_staff_id',
    },
  })
  return { ok: false, reason }
}
