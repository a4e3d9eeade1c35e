import { and, asc, eq } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
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

export async function listPasskeys(db: PortalDatabase, staffId: string): Promise<StoredPasskey[]> {
  const rows = await db
    .select(columns)
    .from(staffPasskeys)
    .where(eq(staffPasskeys.staffId, staffId))
    .orderBy(asc(staffPasskeys.createdAt), asc(staffPasskeys.id))
    .all()
  return rows.map(stored)
}

/** The passkey with this credential ID, whoever's it is; the caller checks it is the signer's. */
export async function findPasskey(
  db: PortalDatabase,
  credentialId: string,
): Promise<StoredPasskey | undefined> {
  const row = await db
    .select(columns)
    .from(staffPasskeys)
    .where(eq(staffPasskeys.credentialId, Buffer.from(credentialId, 'base64url')))
    .get()
  return row && stored(row)
}

/**
 * Adds a passkey; false (and nothing written) when the credential is
 * registered already. The insert names its columns: drizzle's would send NULL
 * for the ID, which PostgreSQL does not turn into a generated one as SQLite does.
 */
export async function insertPasskey(
  db: PortalDatabase,
  passkey: Pick<StoredPasskey, 'staffId' | 'credentialId' | 'publicKey' | 'counter' | 'transports'> & {
    now: Date
  },
) {
  if (await findPasskey(db, passkey.credentialId)) return false
  await prepared(
    db,
    `insert into staff_passkeys (staff_id, credential_id, public_key, counter, transports, created_at)
     values (?, ?, ?, ?, ?, ?)`,
  ).run(
    passkey.staffId,
    Buffer.from(passkey.credentialId, 'base64url'),
    Buffer.from(passkey.publicKey),
    passkey.counter,
    // As drizzle's json mode writes it, so drizzle reads it back.
    JSON.stringify(passkey.transports),
    passkey.now.getTime(),
  )
  return true
}

export async function recordPasskeyUse(
  db: PortalDatabase,
  { id, counter, now }: { id: number; counter: number; now: Date },
) {
  await db.update(staffPasskeys).set({ counter, lastUsedAt: now }).where(eq(staffPasskeys.id, id)).run()
}

/** Removes one of the member's own passkeys; false when it is not theirs or gone already. */
export async function deletePasskey(db: PortalDatabase, { staffId, id }: { staffId: string; id: number }) {
  const deleted = await db
    .delete(staffPasskeys)
    .where(and(eq(staffPasskeys.staffId, staffId), eq(staffPasskeys.id, id)))
    .returning({ id: staffPasskeys.id })
    .all()
  return deleted.length === 1
}

/** What a challenge is for, kept with it, so a registration challenge cannot sign in and the reverse. */
export type WebauthnCeremony = 'register' | 'sign-in'

export async function holdWebauthnChallenge(
  db: PortalDatabase,
  { idHash, ceremony, challenge }: { idHash: Buffer; ceremony: WebauthnCeremony; challenge: string },
) {
  await db
    .update(staffSessions)
    .set({ webauthnChallenge: `${ceremony}:${challenge}` })
    .where(eq(staffSessions.idHash, idHash))
    .run()
}

/** The session's challenge for `ceremony`, taken: it is gone after this, answer or not. */
export async function takeWebauthnChallenge(
  db: PortalDatabase,
  { idHash, ceremony }: { idHash: Buffer; ceremony: WebauthnCeremony },
): Promise<string | undefined> {
  const row = await db
    .select({ challenge: staffSessions.webauthnChallenge })
    .from(staffSessions)
    .where(eq(staffSessions.idHash, idHash))
    .get()
  const held = row?.challenge
  if (!held) return undefined
  // Taken only if still the same: of two requests racing with one challenge, one gets it.
  const taken = await db
    .update(staffSessions)
    .set({ webauthnChallenge: null })
    .where(and(eq(staffSessions.idHash, idHash), eq(staffSessions.webauthnChallenge, held)))
    .returning({ idHash: staffSessions.idHash })
    .all()
  if (taken.length !== 1) return undefined
  const prefix = `${ceremony}:`
  return held.startsWith(prefix) ? held.slice(prefix.length) : undefined
}
