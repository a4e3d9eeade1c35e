import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm'
import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import { staffMembers, staffRecoveryCodes, staffSessions } from './schema'
import { type Keyring, seal, unseal } from './seal'
import { totpSecretContext } from './staff-members'

/**
 * A staff member's second factors as stored: the authenticator app's secret
 * (sealed) with the last time step it accepted, the secret offered at
 * enrolment (sealed, held by the session until a code confirms it), and the
 * recovery codes (keyed hashes only). Each check that spends something (a
 * time step, a recovery code) is one conditional UPDATE, so of two
 * concurrent sign-ins with the same code only one can change the row.
 */

// Bound to the member: a pending secret copied into another person's session does not open.
export const enrolmentContext = (staffId: string) => `staff_sessions:${staffId}:totp-enrolment`

/** The secret offered in this session, kept so that a reload shows the same QR code. */
export async function holdTotpEnrolment(
  db: PortalDatabase,
  keyring: Keyring,
  { idHash, staffId, secret }: { idHash: Buffer; staffId: string; secret: string },
) {
  await db
    .update(staffSessions)
    .set({ totpEnrolmentSealed: seal({ keyring, context: enrolmentContext(staffId), plaintext: secret }) })
    .where(eq(staffSessions.idHash, idHash))
    .run()
}

/** The secret offered in this session and not yet confirmed, if any. */
export async function readTotpEnrolment(
  db: PortalDatabase,
  keyring: Keyring,
  { idHash, staffId }: { idHash: Buffer; staffId: string },
): Promise<string | undefined> {
  const row = await db
    .select({ sealed: staffSessions.totpEnrolmentSealed })
    .from(staffSessions)
    .where(and(eq(staffSessions.idHash, idHash), eq(staffSessions.staffId, staffId)))
    .get()
  if (!row?.sealed) return undefined
  return unseal({ keyring, context: enrolmentContext(staffId), sealed: row.sealed }).toString('utf8')
}

/**
 * The confirmed secret becomes the member's, with the step its confirming code
 * used (so that code cannot sign in again); every session's pending offer goes.
 * False when the member enrolled meanwhile (another tab): the first one stands.
 */
export async function enrolTotp(
  db: PortalDatabase,
  keyring: Keyring,
  { staffId, secret, step, now }: { staffId: string; secret: string; step: number; now: Date },
) {
  const enrolled = await db
    .update(staffMembers)
    .set({
      totpSecretSealed: seal({ keyring, context: totpSecretContext(staffId), plaintext: secret }),
      totpLastStep: step,
      updatedAt: now,
    })
    .where(and(eq(staffMembers.id, staffId), isNull(staffMembers.totpSecretSealed)))
    .returning({ id: staffMembers.id })
    .all()
  await db
    .update(staffSessions)
    .set({ totpEnrolmentSealed: null })
    .where(eq(staffSessions.staffId, staffId))
    .run()
  return enrolled.length === 1
}

/** The member's authenticator secret, opened only to check a code; undefined when none is enrolled. */
export async function readTotpSecret(
  db: PortalDatabase,
  keyring: Keyring,
  staffId: string,
): Promise<string | undefined> {
  const row = await db
    .select({ sealed: staffMembers.totpSecretSealed })
    .from(staffMembers)
    .where(eq(staffMembers.id, staffId))
    .get()
  if (!row?.sealed) return undefined
  return unseal({ keyring, context: totpSecretContext(staffId), sealed: row.sealed }).toString('utf8')
}

/**
 * Spends a time step (RFC 6238 §5.2): true only when `step` is later than the
 * last one accepted, and then it becomes the last one, in the same statement.
 */
export async function spendTotpStep(
  db: PortalDatabase,
  { staffId, step }: { staffId: string; step: number },
) {
  const spent = await db
    .update(staffMembers)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(staffMembers.id, staffId),
        or(isNull(staffMembers.totpLastStep), lt(staffMembers.totpLastStep, step)),
      ),
    )
    .returning({ id: staffMembers.id })
    .all()
  return spent.length === 1
}

/**
 * A fresh set of recovery codes replaces any earlier one, used or not. The
 * insert names its columns: drizzle's would send NULL for the ID, which
 * PostgreSQL does not turn into a generated one as SQLite does.
 */
export async function replaceRecoveryCodes(
  db: PortalDatabase,
  { staffId, codeHashes, now }: { staffId: string; codeHashes: Buffer[]; now: Date },
) {
  await db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staffId)).run()
  const insert = prepared(
    db,
    'insert into staff_recovery_codes (staff_id, code_hash, created_at) values (?, ?, ?)',
  )
  for (const codeHash of codeHashes) await insert.run(staffId, codeHash, now.getTime())
}

/**
 * Spends a recovery code: true once for an unused code of this member, never
 * again. `codeHashes` is the typed code's keyed hash under the current index
 * key and the previous one: the codes are stored only as that hash, which no
 * rotation can make again without the code, so a code handed out before the
 * index key changed is accepted under the key it was hashed with.
 */
export async function spendRecoveryCode(
  db: PortalDatabase,
  { staffId, codeHashes, now }: { staffId: string; codeHashes: LookupDigests; now: Date },
) {
  const spent = await db
    .update(staffRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffRecoveryCodes.staffId, staffId),
        inArray(staffRecoveryCodes.codeHash, [...codeHashes]),
        isNull(staffRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: staffRecoveryCodes.id })
    .all()
  return spent.length > 0
}

/**
 * A supervisor's rule for the member: passkeys only (app codes refused) or
 * not. Answers whether the rule changed.
 */
export async function setPasskeysRequired(
  db: PortalDatabase,
  { staffId, required, now }: { staffId: string; required: boolean; now: Date },
) {
  const changed = await db
    .update(staffMembers)
    .set({ passkeysRequired: required, updatedAt: now })
    .where(and(eq(staffMembers.id, staffId), eq(staffMembers.passkeysRequired, !required)))
    .returning({ id: staffMembers.id })
    .all()
  return changed.length === 1
}
