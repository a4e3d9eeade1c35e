import { getConfig } from '~/config.server'
import { db as portalDb } from '~/db.server'
import type { SessionEnded } from '~/ui/session-ended-page'
import { type PortalDatabase, withTransaction } from '~db/database'
import {
  createSession,
  deleteExpiredSessions,
  deleteOtherSessionsOfHuman,
  deleteSession,
  findSession,
  setSessionChallenge,
  touchSession,
} from '~db/sessions'
import { type CheckWay, checkWayCookie, readCheckWay } from './check-way.server'
import {
  clearTokenCookie,
  cookieName,
  randomToken,
  readTokenCookie,
  type SessionSecrets,
  serializeTokenCookie,
  tokenHashes,
} from './cookie.server'

/**
 * Customer sessions, kept in the database. The cookie carries only a random
 * ID; the row is found by a keyed hash of it, so a copy of the database gives
 * nobody a usable cookie. A session starts unverified (it only holds what the
 * visitor is in the middle of proving) and is replaced by a new one, with a
 * new ID, the moment they prove who they are, so an ID planted or seen before
 * verification is worth nothing after it.
 */

/** A visitor who walks away is signed out after this long. */
export const SESSION_IDLE_MS = 30 * 60 * 1000
/** However active, nobody stays signed in longer than this (a shared computer, a stolen cookie). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000
// A page view restarts the idle clock only when the last restart is this old: one write a
// minute per visitor instead of one a page, and the idle limit ends at most this much early.
const TOUCH_INTERVAL_MS = 60 * 1000
// Expired rows are swept on the way, at most this often per process: an unindexed scan, cheap when rare.
const SWEEP_INTERVAL_MS = 60 * 1000

export const SESSION_COOKIE = 'portal_session'

export type CustomerSession = { humanId: number | null; challenge: unknown | null }

export type SessionStore = ReturnType<typeof createSessionStore>

/** The session logic over an explicit database, secret and clock; the exports below bind it to the request's. */
export function createSessionStore({
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
  // An ID stored under an older secret is looked up on `on`: the store, or the caller's transaction.
  const hashesOn = (on: PortalDatabase) =>
    tokenHashes(secrets, 'session-id', async (idHash) => (await findSession(on, idHash)) !== undefined)
  const hashes = hashesOn(db)
  const name = cookieName(SESSION_COOKIE, isProduction)
  let lastSweep = Number.NEGATIVE_INFINITY

  const hashId = hashes.fresh
  const currentIdHash = async (request: Request, on = db) => {
    const id = readTokenCookie(request, name)
    if (id === undefined) return undefined
    return (on === db ? hashes : hashesOn(on)).stored(id)
  }

  // The browser may drop the cookie earlier; it must never keep it longer than the server would.
  const setCookie = (id: string) =>
    serializeTokenCookie({ name, value: id, isProduction, maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000 })

  const sweep = async (on: PortalDatabase, at: number) => {
    if (at - lastSweep < SWEEP_INTERVAL_MS) return
    lastSweep = at
    await deleteExpiredSessions(on, at)
  }

  // `on`: the store, or the transaction the new session is part of.
  const start = async (
    on: PortalDatabase,
    { humanId, challenge }: { humanId: number | null; challenge: unknown },
  ) => {
    const at = now()
    await sweep(on, at)
    const id = randomToken()
    await createSession(on, {
      idHash: hashId(id),
      kind: 'customer',
      humanId,
      challenge,
      now: at,
      expiresAt: at + SESSION_IDLE_MS,
    })
    return setCookie(id)
  }

  /** A new session (new ID) for the human replaces the request's. */
  const rotate = async (request: Request, humanId: number, on = db): Promise<string> => {
    const idHash = await currentIdHash(request, on)
    // One transaction: the old ID never outlives the new one, even if the process dies in between.
    // It decides nothing on what it reads (a delete by ID, an insert under a new one), so it needs
    // no turn among the writers: on PostgreSQL, sign-ins on every node go side by side.
    return withTransaction(
      on,
      async (tx) => {
        if (idHash) await deleteSession(tx, idHash)
        return start(tx, { humanId, challenge: null })
      },
      { mode: 'row-locking' },
    )
  }

  /** The visitor's live session, its idle clock restarted; an expired one is deleted on sight. */
  const live = async (request: Request) => {
    const idHash = await currentIdHash(request)
    if (!idHash) return undefined
    const session = await findSession(db, idHash)
    if (session?.kind !== 'customer') return undefined
    const at = now()
    if (at - session.lastSeenAt >= SESSION_IDLE_MS || at - session.createdAt >= SESSION_ABSOLUTE_MS) {
      await deleteSession(db, idHash)
      return undefined
    }
    if (at - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      const expiresAt = Math.min(session.createdAt + SESSION_ABSOLUTE_MS, at + SESSION_IDLE_MS)
      await touchSession(db, { idHash, now: at, expiresAt })
    }
    return { idHash, session }
  }

  /**
   * What a personal page answers a visitor without a verified session: a page
   * saying so and leading back to the way they proved who they are last time
   * (`way` when the page itself knows it). 403, not 401: there is no HTTP
   * authentication to challenge for (401 requires WWW-Authenticate), and the
   * server does refuse the page to this request until the visitor proves who
   * they are again; not a redirect, so that the person learns why.
   */
  const sessionEnded = (request: Request, way?: CheckWay): Response => {
    const known = way ?? readCheckWay(request, isProduction)
    const payload: SessionEnded = {
      sessionEnded: {
        way: known ?? null,
        ended: known !== undefined || readTokenCookie(request, name) !== undefined,
        idleMinutes: SESSION_IDLE_MS / 60_000,
        maxHours: SESSION_ABSOLUTE_MS / 3_600_000,
      },
    }
    return Response.json(payload, { status: 403, headers: { 'Cache-Control': 'no-store' } })
  }

  return {
    cookieName: name,

    async getCustomerSession(request: Request): Promise<CustomerSession | null> {
      const found = await live(request)
      if (!found) return null
      return { humanId: found.session.humanId, challenge: found.session.challenge }
    },

    async requireVerifiedHuman(request: Request): Promise<number> {
      const humanId = (await live(request))?.session.humanId
      if (humanId === undefined || humanId === null) throw sessionEnded(request)
      return humanId
    },

    sessionEnded,

    async saveChallenge(request: Request, challenge: unknown): Promise<{ setCookie?: string }> {
      const found = await live(request)
      if (found) {
        await setSessionChallenge(db, { idHash: found.idHash, challenge })
        return {}
      }
      return { setCookie: await start(db, { humanId: null, challenge }) }
    },

    startVerifiedSession: rotate,

    /**
     * A new password: every session of this human ends, this one too, and a
     * new one (new ID) carries on, so no ID seen before the change works after it.
     */
    async renewAfterPasswordChange(request: Request, humanId: number): Promise<string> {
      return withTransaction(db, async (tx) => {
        await deleteOtherSessionsOfHuman(tx, { humanId, keepIdHash: Buffer.alloc(0) })
        return rotate(request, humanId, tx)
      })
    },

    async endSession(request: Request): Promise<string> {
      const idHash = await currentIdHash(request)
      if (idHash) await deleteSession(db, idHash)
      return clearTokenCookie({ name, isProduction })
    },
  }
}

let store: SessionStore | undefined

function requestStore() {
  if (!store) {
    const config = getConfig()
    store = createSessionStore({
      db: portalDb(),
      secrets: config.SESSION_SECRETS,
      isProduction: config.isProduction,
    })
  }
  return store
}

/** The visitor's session, or null when there is none, it is unknown or it has expired. */
export async function getCustomerSession(request: Request): Promise<CustomerSession | null> {
  return requestStore().getCustomerSession(request)
}

/** The verified human behind this request; anyone else gets the page saying their session ended. */
export async function requireVerifiedHuman(request: Request): Promise<number> {
  return requestStore().requireVerifiedHuman(request)
}

/** Keeps what the visitor is proving on their session, starting an unverified one if needed. */
export async function saveChallenge(request: Request, challenge: unknown): Promise<{ setCookie?: string }> {
  return requestStore().saveChallenge(request, challenge)
}

/** The visitor proved who they are: a new session (new ID) replaces theirs. Returns its Set-Cookie. */
export async function startVerifiedSession(request: Request, humanId: number): Promise<string> {
  return requestStore().startVerifiedSession(request, humanId)
}

/**
 * The visitor proved who they are `way`: a new session (new ID) replaces
 * theirs, and the browser remembers the way for the page that says a session
 * ended. Returns the headers that set both cookies.
 */
export async function startCheckedSession(
  request: Request,
  humanId: number,
  way: CheckWay,
): Promise<Headers> {
  const headers = new Headers()
  headers.append('Set-Cookie', await requestStore().startVerifiedSession(request, humanId))
  headers.append('Set-Cookie', checkWayCookie(way, getConfig().isProduction))
  return headers
}

/** The 403 page of a visitor without a verified session, to throw (see `sessionEnded` in the store). */
export async function sessionEnded(request: Request, way?: CheckWay): Promise<Response> {
  return requestStore().sessionEnded(request, way)
}

/** Signs the visitor out; returns the Set-Cookie that makes the browser forget the cookie. */
export async function endSession(request: Request): Promise<string> {
  return requestStore().endSession(request)
}

/** After a new password: the human's sessions all end and a new one replaces this; returns its Set-Cookie. */
export async function renewAfterPasswordChange(request: Request, humanId: number): Promise<string> {
  return requestStore().renewAfterPasswordChange(request, humanId)
}
