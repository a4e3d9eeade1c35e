import { redirect } from '@remix-run/node'
import { getConfig } from '~/config.server'
import { db as portalDb } from '~/db.server'
import {
  clearTokenCookie,
  cookieName,
  randomToken,
  readTokenCookie,
  type SessionSecrets,
  serializeTokenCookie,
  tokenHashes,
} from '~/session/cookie.server'
import type { PortalDatabase } from '~db/database'
import type { StaffMemberRole } from '~db/schema'
import {
  createStaffSession,
  deleteExpiredStaffSessions,
  deleteStaffSession,
  findStaffSession,
  type StaffSessionFactor,
  touchStaffSession,
} from '~db/staff-sessions'

/**
 * Staff sessions, apart from customers' in everything: their own table, their
 * own cookie (`__Host-portal_staff` in production, SameSite=Strict, so no
 * other site can even start a request that carries it), shorter limits. The
 * cookie carries a random ID; the row is found by its keyed hash.
 *
 * A session begins after the password alone (`factor: 'password'`) and opens
 * no staff page but the password change and the second-factor step
 * (`/staff/login/mfa`); a second factor given there makes it whole and
 * starts the five minutes of step-up (app/staff/staff-step-up.server.ts).
 */

/** Staff see personal data: a walk away from the desk ends the session soon. */
export const STAFF_SESSION_IDLE_MS = 15 * 60 * 1000
/** One working day at most, however active. */
export const STAFF_SESSION_ABSOLUTE_MS = 8 * 60 * 60 * 1000
// As for customers: one write a minute per person rather than one a page.
const TOUCH_INTERVAL_MS = 60 * 1000
const SWEEP_INTERVAL_MS = 60 * 1000

export const STAFF_SESSION_COOKIE = 'portal_staff'

export type StaffSession = {
  idHash: Buffer
  staffId: string
  role: StaffMemberRole
  passwordMustChange: boolean
  factor: StaffSessionFactor
  /** When a second factor was last given in this session (ms), or null while only the password has. */
  secondFactorAt: number | null
}

export type StaffSessionStore = ReturnType<typeof createStaffSessionStore>

export function createStaffSessionStore({
  db,
  secrets,
  isProduction,
  now = Date.now,
}: {
  db: PortalDatabase
  secrets: SessionSecrets
  isProduction: boolean
  now?: () => number
}) {
  // A key of its own: a customer session ID hashes to nothing a staff row holds. An ID stored
  // under an older secret is looked up on `on`: the store, or the caller's transaction.
  const hashesOn = (on: PortalDatabase) =>
    tokenHashes(
      secrets,
      'staff-session-id',
      async (idHash) => (await findStaffSession(on, idHash)) !== undefined,
    )
  const hashes = hashesOn(db)
  const name = cookieName(STAFF_SESSION_COOKIE, isProduction)
  let lastSweep = Number.NEGATIVE_INFINITY
  const hashId = hashes.fresh
  const currentIdHash = async (request: Request, on: PortalDatabase) => {
    const id = readTokenCookie(request, name)
    if (id === undefined) return undefined
    return (on === db ? hashes : hashesOn(on)).stored(id)
  }

  return {
    cookieName: name,

    /** A new session for the member (who just gave their password); returns its Set-Cookie. */
    async start({ request, staffId }: { request: Request; staffId: string }): Promise<string> {
      const at = now()
      if (at - lastSweep >= SWEEP_INTERVAL_MS) {
        lastSweep = at
        await deleteExpiredStaffSessions(db, at)
      }
      // Whatever session the browser had ends: a new ID at every sign-in, never a planted one.
      const old = await currentIdHash(request, db)
      if (old) await deleteStaffSession(db, old)
      const id = randomToken()
      await createStaffSession(db, {
        idHash: hashId(id),
        staffId,
        factor: 'password',
        now: at,
        expiresAt: at + STAFF_SESSION_IDLE_MS,
      })
      return serializeTokenCookie({
        name,
        value: id,
        isProduction,
        maxAgeSeconds: STAFF_SESSION_ABSOLUTE_MS / 1000,
        sameSite: 'Strict',
      })
    },

    /**
     * The request's live staff session, its idle clock restarted; expired or
     * disabled ones end here. `on`: the store, or the transaction this is part of.
     */
    async live(request: Request, on = db): Promise<StaffSession | undefined> {
      const idHash = await currentIdHash(request, on)
      if (!idHash) return undefined
      const session = await findStaffSession(on, idHash)
      if (!session) return undefined
      const at = now()
      if (
        session.disabled ||
        at - session.lastSeenAt >= STAFF_SESSION_IDLE_MS ||
        at - session.createdAt >= STAFF_SESSION_ABSOLUTE_MS
      ) {
        await deleteStaffSession(on, idHash)
        return undefined
      }
      if (at - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
        const expiresAt = Math.min(session.createdAt + STAFF_SESSION_ABSOLUTE_MS, at + STAFF_SESSION_IDLE_MS)
        await touchStaffSession(on, { idHash, now: at, expiresAt })
      }
      return {
        idHash,
        staffId: session.staffId,
        role: session.role,
        passwordMustChange: session.passwordMustChange,
        factor: session.factor,
        secondFactorAt: session.secondFactorAt,
      }
    },

    /**
     * Ends the request's session; returns the Set-Cookie that makes the
     * browser forget it. `on`: the store, or the transaction this is part of.
     */
    async end(request: Request, on = db): Promise<string> {
      const idHash = await currentIdHash(request, on)
      if (idHash) await deleteStaffSession(on, idHash)
      return clearTokenCookie({ name, isProduction, sameSite: 'Strict' })
    },
  }
}

let store: StaffSessionStore | undefined

export function staffSessions(): StaffSessionStore {
  if (!store) {
    const config = getConfig()
    store = createStaffSessionStore({
      db: portalDb(),
      secrets: config.SESSION_SECRETS,
      isProduction: config.isProduction,
    })
  }
  return store
}

/** What a supervisor page answers an agent: a 403 page saying whom to ask (StaffErrorBoundary shows it). */
export type StaffForbidden = { staffForbidden: { needs: StaffMemberRole } }

/**
 * The guard of every staff page. No staff session (anonymous, a customer, an
 * expired or ended one): to `/staff/login`. A password still to be replaced:
 * to `/staff/password`, unless this is that page (`allowMustChange`). No
 * second factor yet: to `/staff/login/mfa`, unless this is a page of the
 * sign-in itself (`allowPasswordOnly`). A page for supervisors, asked by an
 * agent: 403.
 */
export async function requireStaff(
  request: Request,
  {
    role,
    allowMustChange = false,
    allowPasswordOnly = false,
  }: { role?: StaffMemberRole; allowMustChange?: boolean; allowPasswordOnly?: boolean } = {},
): Promise<StaffSession> {
  const session = await staffSessions().live(request)
  if (!session) throw redirect('/staff/login', { headers: { 'Cache-Control': 'no-store' } })
  if (session.passwordMustChange && !allowMustChange) throw redirect('/staff/password')
  if (session.factor === 'password' && !allowPasswordOnly) {
    throw redirect('/staff/login/mfa', { headers: { 'Cache-Control': 'no-store' } })
  }
  if (role === 'supervisor' && session.role !== 'supervisor') {
    const payload: StaffForbidden = { staffForbidden: { needs: 'supervisor' } }
    throw Response.json(payload, { status: 403, headers: { 'Cache-Control': 'no-store' } })
  }
  return session
}
