import { and, asc, eq } from 'drizzle-orm'
import type { SqliteDatabase } from './client'
import { staffPasskeys, staffSessions } from './schema'

/**
 * Staff passkeys as stored (nothing personal in them: a credential ID, a
 * public key, a counter), and the one-use WebAuthn challenge a ceremony in
 * progress keeps on its staff session.
 */

export type StoredPasskey = {
  id: number
  staffId: string
  /** The credential ID as the browser sends it (base64url). */
  credentialId: string
  publicKey: Uint8Array<ArrayBuffer>
  counter: number
  transports: string[]
  createdAt: Date
  lastUsedAt: Date | null
}

const columns = {
  id: staffPasskeys.id,
  staffId: staffPasskeys.staffId,
  credentialId: staffPasskeys.credentialId,
  publicKey: staffPasskeys.publicKey,
  counter: staffPasskeys.counter,
  transports: staffPasskeys.transports,
  createdAt: staffPasskeys.createdAt,
  lastUsedAt: staffPasskeys.lastUsedAt,
}

type Row = { credentialId: Buffer; publicKey: Buffer; transports: string[] | null } & Omit<
  StoredPasskey,
  'credentialId' | 'publicKey' | 'transports'
>

const stored = (row: Row): StoredPasskey => ({
  ...row,
  credentialId: row.credentialId.toString('base64url'),
  publicKey: new Uint8Array(row.publicKey),
  transports: row.transports ?? [],
})

export function listPasskeys(db: SqliteDatabase, staffId: string): StoredPasskey[] {
  return db
    .select(columns)
    .from(staffPasskeys)
    .where(eq(staffPasskeys.staffId, staffId))
    .orderBy(asc(staffPasskeys.createdAt), asc(staffPasskeys.id))
    .all()
    .map(stored)
}

/** The passkey with this credential ID, whoever's it is; the caller checks it is the signer's. */
export function findPasskey(db: SqliteDatabase, credentialId: string): StoredPasskey | undefined {
  const row = db
    .select(columns)
    .from(staffPasskeys)
    .where(eq(staffPasskeys.credentialId, Buffer.from(credentialId, 'base64url')))
    .get()
  return row && stored(row)
}

/** Adds a passkey; false (and nothing written) when the credential is registered already. */
export function insertPasskey(
  db: SqliteDatabase,
  passkey: Pick<StoredPasskey, 'staffId' | 'credentialId' | 'publicKey' | 'counter' | 'transports'> & {
    now: Date
  },
) {
  if (findPasskey(db, passkey.credentialId)) return false
  db.insert(staffPasskeys)
    .values({
      staffId: passkey.staffId,
      credentialId: Buffer.from(passkey.credentialId, 'base64url'),
      publicKey: Buffer.from(passkey.publicKey),
      counter: passkey.counter,
      transports: passkey.transports,
      createdAt: passkey.now,
    })
    .run()
  return true
}

export function recordPasskeyUse(
  db: SqliteDatabase,
  { id, counter, now }: { id: number; counter: number; now: Date },
) {
  db.update(staffPasskeys).set({ counter, lastUsedAt: now }).where(eq(staffPasskeys.id, id)).run()
}

/** Removes one of the member's own passkeys; false when it is not theirs or gone already. */
export function deletePasskey(db: SqliteDatabase, { staffId, id }: { staffId: string; id: number }) {
  return (
    db
      .delete(staffPasskeys)
      .where(and(eq(staffPasskeys.staffId, staffId), eq(staffPasskeys.id, id)))
      .run().changes === 1
  )
}

/** What a challenge is for, kept with it, so a registration challenge cannot sign in and the reverse. */
export type WebauthnCeremony = 'register' | 'sign-in'

export function holdWebauthnChallenge(
  db: SqliteDatabase,
  { idHash, ceremony, challenge }: { idHash: Buffer; ceremony: WebauthnCeremony; challenge: string },
) {
  db.update(staffSessions)
    .set({ webauthnChallenge: `${ceremony}:${challenge}` })
    .where(eq(staffSessions.idHash, idHash))
    .run()
}

/** The session's challenge for `ceremony`, taken: it is gone after this, answer or not. */
export function takeWebauthnChallenge(
  db: SqliteDatabase,
  { idHash, ceremony }: { idHash: Buffer; ceremony: WebauthnCeremony },
): string | undefined {
  const held = db
    .select({ challenge: staffSessions.webauthnChallenge })
    .from(staffSessions)
    .where(eq(staffSessions.idHash, idHash))
    .get()?.challenge
  if (!held) return undefined
  // Taken only if still the same: of two requests racing with one challenge, one gets it.
  const { changes } = db
    .update(staffSessions)
    .set({ webauthnChallenge: null })
    .where(and(eq(staffSessions.idHash, idHash), eq(staffSessions.webauthnChallenge, held)))
    .run()
  if (changes !== 1) return undefined
  const prefix = `${ceremony}:`
  return held.startsWith(prefix) ? held.slice(prefix.length) : undefined
}
