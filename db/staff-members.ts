import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
import type { PortalCrypto } from './portal-crypto'
import {
  type StaffMemberRole,
  type StaffMemberRow,
  staffMembers,
  staffPasskeys,
  staffRecoveryCodes,
} from './schema'
import { type Keyring, seal, unseal } from './seal'

/**
 * Staff accounts as the rest of the portal sees them: opened (e-mail and name
 * unsealed), found by the e-mail's blind index. Every function runs on the
 * database it is given, so a caller's transaction covers it.
 */

/** An e-mail address read once: `shown` as the person wrote it, `matched` as it is looked up. */
/**
 * A staff member's public ID: `S` and 10 Crockford base32 symbols from the
 * CSPRNG (50 bits), made by app/staff/staff-id.server.ts. It names the account
 * in URLs, the audit log and the command's output, so it says nothing about
 * the person, and a random one cannot be counted through as a sequence could.
 */
export const STAFF_ID_SYMBOLS = 10
export const STAFF_ID_PATTERN = /^S[0-9A-HJKMNP-TV-Z]{10}$/

export type StaffEmail = { shown: string; matched: string }

export type StaffMember = Omit<
  StaffMemberRow,
  'emailIndex' | 'emailSealed' | 'nameSealed' | 'totpSecretSealed'
> & {
  email: string
  name: string
  /** Whether an authenticator app is enrolled; the secret itself is opened only to check a code. */
  hasTotp: boolean
  passkeys: number
  unusedRecoveryCodes: number
}

// The row's public ID is in the associated data: a ciphertext copied into another row does not open.
export const emailContext = (staffId: string) => `staff_members:${staffId}:email`
export const nameContext = (staffId: string) => `staff_members:${staffId}:name`
/** For the TOTP secret, sealed by the enrolment that is still to come. */
export const totpSecretContext = (staffId: string) => `staff_members:${staffId}:totp`

/** The digest an account's address is stored under: the current index key's. */
export function staffEmailIndex(crypto: Pick<PortalCrypto, 'index'>, matched: string) {
  return crypto.index('staff-email', matched)
}

/** What an account is found by: the address's digests under the current index key and the previous one. */
function staffEmailLookup(crypto: Pick<PortalCrypto, 'lookup'>, matched: string) {
  return [...crypto.lookup('staff-email', matched)]
}

export type NewStaffMember = {
  id: string
  email: StaffEmail
  name: string
  role: StaffMemberRole
  /** argon2id of the enrolment password; it is the password until the first sign-in replaces it. */
  enrolmentPasswordHash: string
  enrolmentExpiresAt: Date
  now: Date
}

/**
 * Inserts the account, or answers `email-taken` (and writes nothing) when the
 * address has one. Asked first rather than caught from the unique index, so
 * a refusal leaves the caller's transaction usable (a failed statement aborts
 * a PostgreSQL transaction); the index still stops a race between two callers.
 */
export async function insertStaffMember(
  db: PortalDatabase,
  crypto: Pick<PortalCrypto, 'index' | 'lookup' | 'keyring'>,
  member: NewStaffMember,
): Promise<'inserted' | 'email-taken'> {
  const emailIndex = staffEmailIndex(crypto, member.email.matched)
  // An account whose digest is still under the previous index key holds the address too.
  const taken = await db
    .select({ id: staffMembers.id })
    .from(staffMembers)
    .where(inArray(staffMembers.emailIndex, staffEmailLookup(crypto, member.email.matched)))
    .get()
  if (taken) return 'email-taken'
  const { keyring } = crypto
  await db
    .insert(staffMembers)
    .values({
      id: member.id,
      emailIndex,
      emailSealed: seal({ keyring, context: emailContext(member.id), plaintext: member.email.shown }),
      nameSealed: seal({ keyring, context: nameContext(member.id), plaintext: member.name }),
      role: member.role,
      passwordHash: member.enrolmentPasswordHash,
      enrolmentPasswordHash: member.enrolmentPasswordHash,
      passwordMustChange: true,
      enrolmentExpiresAt: member.enrolmentExpiresAt,
      createdAt: member.now,
      updatedAt: member.now,
    })
    .run()
  return 'inserted'
}

/** Whether a public ID is already in use (a fresh random one almost never is). */
export async function staffIdTaken(db: PortalDatabase, id: string) {
  const row = await db.select({ id: staffMembers.id }).from(staffMembers).where(eq(staffMembers.id, id)).get()
  return row !== undefined
}

// What every read adds to the row: counts of the second factors, without opening any of them.
// The outer column is named in full: drizzle renders `${staffMembers.id}` as a bare "id",
// which inside the subquery would be the subquery's own table's id.
const withFactors = {
  passkeys: sql<number>`(select count(*) from staff_passkeys p where p.staff_id = staff_members.id)`,
  unusedRecoveryCodes: sql<number>`(select count(*) from staff_recovery_codes r
    where r.staff_id = staff_members.id and r.used_at is null)`,
}

type ReadRow = StaffMemberRow & { passkeys: number; unusedRecoveryCodes: number }

function opened(keyring: Keyring, row: ReadRow): StaffMember {
  const { emailIndex: _index, emailSealed, nameSealed, totpSecretSealed, ...rest } = row
  return {
    ...rest,
    email: unseal({ keyring, context: emailContext(row.id), sealed: emailSealed }).toString('utf8'),
    name: unseal({ keyring, context: nameContext(row.id), sealed: nameSealed }).toString('utf8'),
    hasTotp: totpSecretSealed !== null,
  }
}

function selectMembers(db: PortalDatabase) {
  return db
    .select({
      id: staffMembers.id,
      emailIndex: staffMembers.emailIndex,
      emailSealed: staffMembers.emailSealed,
      nameSealed: staffMembers.nameSealed,
      role: staffMembers.role,
      passwordHash: staffMembers.passwordHash,
      enrolmentPasswordHash: staffMembers.enrolmentPasswordHash,
      passwordMustChange: staffMembers.passwordMustChange,
      enrolmentExpiresAt: staffMembers.enrolmentExpiresAt,
      passwordChangedAt: staffMembers.passwordChangedAt,
      disabledAt: staffMembers.disabledAt,
      failedSignIns: staffMembers.failedSignIns,
      lockedUntil: staffMembers.lockedUntil,
      totpSecretSealed: staffMembers.totpSecretSealed,
      totpLastStep: staffMembers.totpLastStep,
      passkeysRequired: staffMembers.passkeysRequired,
      createdAt: staffMembers.createdAt,
      updatedAt: staffMembers.updatedAt,
      ...withFactors,
    })
    .from(staffMembers)
}

/**
 * The account whose e-mail address is `matched` (normalised), found by its
 * blind index under the current index key or the previous one.
 */
export async function findStaffMemberByEmail(
  db: PortalDatabase,
  crypto: Pick<PortalCrypto, 'lookup' | 'keyring'>,
  matched: string,
): Promise<StaffMember | undefined> {
  const row = await selectMembers(db)
    .where(inArray(staffMembers.emailIndex, staffEmailLookup(crypto, matched)))
    .get()
  return row && opened(crypto.keyring, row)
}

export async function findStaffMemberById(
  db: PortalDatabase,
  keyring: Keyring,
  id: string,
): Promise<StaffMember | undefined> {
  const row = await selectMembers(db).where(eq(staffMembers.id, id)).get()
  return row && opened(keyring, row)
}

/** Every account, oldest first, opened: for the operator's list and the supervisors' page. */
export async function listStaffMembers(db: PortalDatabase, keyring: Keyring): Promise<StaffMember[]> {
  const rows = await selectMembers(db).orderBy(asc(staffMembers.createdAt), asc(staffMembers.id)).all()
  return rows.map((row) => opened(keyring, row))
}

/** Disables the account; false when it already was (nothing changes then). */
export async function markStaffMemberDisabled(db: PortalDatabase, { id, now }: { id: string; now: Date }) {
  const disabled = await db
    .update(staffMembers)
    .set({ disabledAt: now, updatedAt: now })
    .where(and(eq(staffMembers.id, id), isNull(staffMembers.disabledAt)))
    .returning({ id: staffMembers.id })
    .all()
  return disabled.length === 1
}

/** What a reset of the second factors removed, counted for the record of it. */
export type RemovedFactors = { totp: boolean; recoveryCodes: number; passkeys: number }

/**
 * Removes every second factor of the account: the TOTP secret and its last
 * step, the recovery codes, the passkeys. The next sign-in enrols anew.
 */
export async function removeStaffFactors(
  db: PortalDatabase,
  { id, now }: { id: string; now: Date },
): Promise<RemovedFactors> {
  const withTotp = await db
    .select({ id: staffMembers.id })
    .from(staffMembers)
    .where(and(eq(staffMembers.id, id), isNotNull(staffMembers.totpSecretSealed)))
    .get()
  await db
    .update(staffMembers)
    .set({ totpSecretSealed: null, totpLastStep: null, updatedAt: now })
    .where(eq(staffMembers.id, id))
    .run()
  const recoveryCodes = await db
    .delete(staffRecoveryCodes)
    .where(eq(staffRecoveryCodes.staffId, id))
    .returning({ id: staffRecoveryCodes.id })
    .all()
  const passkeys = await db
    .delete(staffPasskeys)
    .where(eq(staffPasskeys.staffId, id))
    .returning({ id: staffPasskeys.id })
    .all()
  return { totp: withTotp !== undefined, recoveryCodes: recoveryCodes.length, passkeys: passkeys.length }
}

/**
 * A new enrolment password and expiry for an account that has never set a
 * password of its own (the demo staff's, renewed on each start outside
 * production). False when the person has set one since: theirs is kept.
 */
export async function renewEnrolmentPassword(
  db: PortalDatabase,
  {
    id,
    enrolmentPasswordHash,
    expiresAt,
    now,
  }: { id: string; enrolmentPasswordHash: string; expiresAt: Date; now: Date },
) {
  const renewed = await db
    .update(staffMembers)
    .set({
      passwordHash: enrolmentPasswordHash,
      enrolmentPasswordHash,
      enrolmentExpiresAt: expiresAt,
      updatedAt: now,
    })
    .where(
      and(
        eq(staffMembers.id, id),
        eq(staffMembers.passwordMustChange, true),
        isNull(staffMembers.passwordChangedAt),
      ),
    )
    .returning({ id: staffMembers.id })
    .all()
  return renewed.length === 1
}

/** Wrong passwords in a row before the account locks, and for how long. */
export const STAFF_LOCK_AFTER_FAILURES = 5
export const STAFF_LOCK_MS = 15 * 60 * 1000

/**
 * One more wrong password. Counted in one statement, so two concurrent
 * failures cannot both read 4 and leave the account unlocked; at the limit the
 * account locks and the count starts again for after the lock. Answers whether
 * this failure locked it.
 */
export async function recordStaffSignInFailure(db: PortalDatabase, { id, now }: { id: string; now: Date }) {
  const failures = await prepared(
    db,
    'update staff_members set failed_sign_ins = failed_sign_ins + 1 where id = ? returning failed_sign_ins',
  ).value<number>(id)
  if (failures === undefined || failures < STAFF_LOCK_AFTER_FAILURES) return { locked: false }
  await db
    .update(staffMembers)
    .set({ failedSignIns: 0, lockedUntil: new Date(now.getTime() + STAFF_LOCK_MS), updatedAt: now })
    .where(eq(staffMembers.id, id))
    .run()
  return { locked: true }
}

/** A right password: the count of wrong ones starts again. */
export async function clearStaffSignInFailures(db: PortalDatabase, id: string) {
  await db
    .update(staffMembers)
    .set({ failedSignIns: 0, lockedUntil: null })
    .where(
      and(
        eq(staffMembers.id, id),
        sql`(${staffMembers.failedSignIns} > 0 or ${staffMembers.lockedUntil} is not null)`,
      ),
    )
    .run()
}

/** A password of the member's own replaces the enrolment one; the enrolment hash stays, to refuse it again. */
export async function setStaffPassword(
  db: PortalDatabase,
  { id, passwordHash, now }: { id: string; passwordHash: string; now: Date },
) {
  await db
    .update(staffMembers)
    .set({
      passwordHash,
      passwordMustChange: false,
      enrolmentExpiresAt: null,
      passwordChangedAt: now,
      updatedAt: now,
    })
    .where(eq(staffMembers.id, id))
    .run()
}

/**
 * Changes whenever an account is added or changed: lets a process keep what
 * it derived from every account (their addresses' customer digests) until then.
 */
export async function staffMembersVersion(db: PortalDatabase): Promise<string> {
  const row = await prepared<{ count: number; updated: number | null }>(
    db,
    'select count(*) as count, max(updated_at) as updated from staff_members',
  ).get()
  return `${row?.count ?? 0}:${row?.updated ?? 0}`
}
