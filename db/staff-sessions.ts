import { type PortalDatabase, prepared } from './database'
import type { STAFF_SESSION_FACTORS, StaffMemberRole } from './schema'

/**
 * Staff sessions' storage. A row is found by the keyed hash of the random ID
 * the staff cookie carries; `expires_at` is whichever of the idle and absolute
 * limits comes first, computed by the caller (app/staff/staff-session.server.ts).
 */

export type StaffSessionFactor = (typeof STAFF_SESSION_FACTORS)[number]

export type StoredStaffSession = {
  staffId: string
  factor: StaffSessionFactor
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  /** When a second factor was last given in this session; null while only the password has been. */
  secondFactorAt: number | null
  /** The member's state now, read with the session, so a change applies on the next request. */
  role: StaffMemberRole
  passwordMustChange: boolean
  disabled: boolean
}

export async function createStaffSession(
  db: PortalDatabase,
  session: { idHash: Buffer; staffId: string; factor: StaffSessionFactor; now: number; expiresAt: number },
) {
  await prepared(
    db,
    `insert into staff_sessions (id_hash, staff_id, factor, created_at, last_seen_at, expires_at)
      values (?, ?, ?, ?, ?, ?)`,
  ).run(session.idHash, session.staffId, session.factor, session.now, session.now, session.expiresAt)
}

export async function findStaffSession(
  db: PortalDatabase,
  idHash: Buffer,
): Promise<StoredStaffSession | undefined> {
  const row = await prepared<
    Omit<StoredStaffSession, 'passwordMustChange' | 'disabled'> & {
      mustChange: number
      disabledAt: number | null
    }
  >(
    db,
    `select s.staff_id as "staffId", s.factor, s.created_at as "createdAt", s.last_seen_at as "lastSeenAt",
        s.expires_at as "expiresAt", s.second_factor_at as "secondFactorAt", m.role,
        m.password_must_change as "mustChange", m.disabled_at as "disabledAt"
      from staff_sessions s join staff_members m on m.id = s.staff_id
      where s.id_hash = ?`,
  ).get(idHash)
  if (!row) return undefined
  const { mustChange, disabledAt, ...rest } = row
  return { ...rest, passwordMustChange: mustChange === 1, disabled: disabledAt !== null }
}

export async function touchStaffSession(
  db: PortalDatabase,
  { idHash, now, expiresAt }: { idHash: Buffer; now: number; expiresAt: number },
) {
  await prepared(db, 'update staff_sessions set last_seen_at = ?, expires_at = ? where id_hash = ?').run(
    now,
    expiresAt,
    idHash,
  )
}

/** A second factor given: the session is whole, and step-up counts five minutes from now. */
export async function recordSecondFactor(
  db: PortalDatabase,
  { idHash, factor, now }: { idHash: Buffer; factor: Exclude<StaffSessionFactor, 'password'>; now: number },
) {
  await prepared(db, 'update staff_sessions set factor = ?, second_factor_at = ? where id_hash = ?').run(
    factor,
    now,
    idHash,
  )
}

export async function deleteStaffSession(db: PortalDatabase, idHash: Buffer) {
  await prepared(db, 'delete from staff_sessions where id_hash = ?').run(idHash)
}

/** Every session of the member but `keepIdHash` (none kept when it is omitted); returns how many went. */
export async function deleteStaffSessionsOf(
  db: PortalDatabase,
  { staffId, keepIdHash }: { staffId: string; keepIdHash?: Buffer },
) {
  const deleted = await prepared(db, 'delete from staff_sessions where staff_id = ? and id_hash != ?').run(
    staffId,
    keepIdHash ?? Buffer.alloc(0),
  )
  return deleted.changes
}

export async function deleteExpiredStaffSessions(db: PortalDatabase, now: number) {
  return (await prepared(db, 'delete from staff_sessions where expires_at <= ?').run(now)).changes
}
