import {
  type AuthenticatorTransportFuture,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import type { RelyingParty } from '~/staff/passkey-relying-party.server'
import type { StaffSession } from '~/staff/staff-session.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { findStaffMemberById } from '~db/staff-members'
import {
  deletePasskey,
  holdWebauthnChallenge,
  insertPasskey,
  listPasskeys,
  takeWebauthnChallenge,
} from '~db/staff-passkeys'

/**
 * Registering and removing a staff member's passkeys. The options name the
 * member's existing credentials so an authenticator is not registered twice;
 * the challenge is held by the session and spent by the answer, right or
 * wrong; user verification (a PIN or a fingerprint on the device) is
 * required, so a passkey is both factors' worth on its own device and never
 * less than the app code it can replace. Attestation is not asked for: which
 * make of authenticator it is does not matter here, and asking would make
 * browsers show the member a privacy prompt.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; session: StaffSession; party: RelyingParty }

export async function passkeyRegistrationOptions({
  db,
  crypto,
  session,
  party,
}: Context): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  if (!member) throw new Error('the signed-in staff member is missing')
  const passkeys = await listPasskeys(db, member.id)
  const options = await generateRegistrationOptions({
    rpName: party.name,
    rpID: party.id,
    // The public ID, not the address: the authenticator keeps it, and it says nothing about the person.
    userID: new TextEncoder().encode(member.id),
    userName: member.email,
    userDisplayName: member.name,
    attestationType: 'none',
    excludeCredentials: passkeys.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports as AuthenticatorTransportFuture[],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  })
  await holdWebauthnChallenge(db, {
    idHash: session.idHash,
    ceremony: 'register',
    challenge: options.challenge,
  })
  return options
}

export type PasskeyRegistration = { ok: true } | { ok: false; reason: 'failed' | 'duplicate' }

export async function registerPasskey({
  db,
  session,
  party,
  response,
  clientIpIndex,
  now = new Date(),
}: Omit<Context, 'crypto'> & {
  /** The browser's answer, parsed as JSON and bounded by the caller; the library checks the rest. */
  response: unknown
  clientIpIndex: Buffer
  now?: Date
}): Promise<PasskeyRegistration> {
  const staff = { kind: 'staff', id: session.staffId } as const
  const expectedChallenge = await takeWebauthnChallenge(db, { idHash: session.idHash, ceremony: 'register' })
  const verified = expectedChallenge
    ? await verifyRegistrationResponse({
        response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
        expectedChallenge,
        expectedOrigin: party.origin,
        expectedRPID: party.id,
        requireUserVerification: true,
      }).catch(() => undefined)
    : undefined
  return withTransaction(db, async (tx): Promise<PasskeyRegistration> => {
    const credential = verified?.verified ? verified.registrationInfo.credential : undefined
    const inserted =
      credential !== undefined &&
      (await insertPasskey(tx, {
        staffId: session.staffId,
        credentialId: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
        now,
      }))
    const reason = !credential ? (expectedChallenge ? 'not_verified' : 'no_challenge') : 'duplicate'
    const passkeys = inserted ? (await listPasskeys(tx, session.staffId)).length : 0
    await appendAuditEntry(tx, {
      actor: staff,
      action: 'staff.passkey_registered',
      target: staff,
      outcome: inserted ? 'success' : 'failure',
      clientIpIndex,
      detail: inserted ? { passkeys } : { reason },
    })
    if (inserted) return { ok: true }
    return { ok: false, reason: credential ? 'duplicate' : 'failed' }
  })
}

/** Removes one of the member's own passkeys (step-up required by the page); audited. */
export async function removePasskey({
  db,
  session,
  passkeyId,
  clientIpIndex,
}: Pick<Context, 'db' | 'session'> & { passkeyId: number; clientIpIndex: Buffer }) {
  const staff = { kind: 'staff', id: session.staffId } as const
  return withTransaction(db, async (tx) => {
    const removed = await deletePasskey(tx, { staffId: session.staffId, id: passkeyId })
    const passkeys = removed ? (await listPasskeys(tx, session.staffId)).length : 0
    await appendAuditEntry(tx, {
      actor: staff,
      action: 'staff.passkey_removed',
      target: staff,
      outcome: removed ? 'success' : 'failure',
      clientIpIndex,
      detail: removed ? { passkeys } : { reason: 'not_found' },
    })
    return removed
  })
}
