import {
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server'
import type { RelyingParty } from '~/staff/passkey-relying-party.server'
import {
  accountBarred,
  failedSecondFactor,
  type SecondFactorOutcome,
} from '~/staff/staff-second-factor.server'
import type { StaffSession } from '~/staff/staff-session.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { clearStaffSignInFailures, findStaffMemberById } from '~db/staff-members'
import {
  findPasskey,
  holdWebauthnChallenge,
  listPasskeys,
  recordPasskeyUse,
  takeWebauthnChallenge,
} from '~db/staff-passkeys'
import { recordSecondFactor } from '~db/staff-sessions'

/**
 * A passkey as the second factor, at sign-in and at step-up. The options list
 * only the signed-in member's credentials; the answer must be one of theirs,
 * signed over the session's challenge (spent whatever the answer), by this
 * origin, with user verification, and with a signature counter that moved
 * forward (one that did not betrays a cloned authenticator, unless the
 * authenticator keeps no counter at all, as synced passkeys report 0).
 * A failed answer counts towards the lock like a wrong code.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; session: StaffSession; party: RelyingParty }

export async function passkeySignInOptions({
  db,
  session,
  party,
}: Omit<Context, 'crypto'>): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
  const passkeys = await listPasskeys(db, session.staffId)
  if (passkeys.length === 0) return undefined
  const options = await generateAuthenticationOptions({
    rpID: party.id,
    allowCredentials: passkeys.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports as AuthenticatorTransportFuture[],
    })),
    userVerification: 'required',
  })
  await holdWebauthnChallenge(db, {
    idHash: session.idHash,
    ceremony: 'sign-in',
    challenge: options.challenge,
  })
  return options
}

export async function signInWithPasskey({
  db,
  crypto,
  session,
  party,
  response,
  clientIpIndex,
  now = new Date(),
}: Context & {
  response: { id: string } & Record<string, unknown>
  clientIpIndex: Buffer
  now?: Date
}): Promise<SecondFactorOutcome> {
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  if (!member) return { ok: false, reason: 'locked' }
  const staff = { kind: 'staff', id: member.id } as const
  const action = session.secondFactorAt === null ? 'staff.sign_in_mfa' : 'staff.step_up'
  if (accountBarred(member, now)) {
    await appendAuditEntry(db, {
      actor: staff,
      action,
      target: staff,
      outcome: 'denied',
      clientIpIndex,
      detail: { factor: 'passkey', reason: member.disabledAt ? 'disabled' : 'locked' },
    })
    return { ok: false, reason: 'locked' }
  }
  const expectedChallenge = await takeWebauthnChallenge(db, { idHash: session.idHash, ceremony: 'sign-in' })
  const passkey = await findPasskey(db, response.id)
  const theirs = passkey?.staffId === member.id ? passkey : undefined
  const verified =
    expectedChallenge && theirs
      ? await verifyAuthenticationResponse({
          response: response as unknown as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
          expectedChallenge,
          expectedOrigin: party.origin,
          expectedRPID: party.id,
          credential: {
            id: theirs.credentialId,
            publicKey: theirs.publicKey,
            counter: theirs.counter,
            transports: theirs.transports as AuthenticatorTransportFuture[],
          },
          requireUserVerification: true,
        }).catch(() => undefined)
      : undefined
  return withTransaction(db, async (tx): Promise<SecondFactorOutcome> => {
    if (!theirs || !verified?.verified) {
      const reason = !expectedChallenge ? 'no_challenge' : !theirs ? 'unknown_passkey' : 'not_verified'
      return failedSecondFactor(tx, { member, clientIpIndex, factor: 'passkey', reason, now, action })
    }
    await recordPasskeyUse(tx, { id: theirs.id, counter: verified.authenticationInfo.newCounter, now })
    await clearStaffSignInFailures(tx, member.id)
    await recordSecondFactor(tx, { idHash: session.idHash, factor: 'passkey', now: now.getTime() })
    await appendAuditEntry(tx, {
      actor: staff,
      action,
      target: staff,
      outcome: 'success',
      clientIpIndex,
      detail: { factor: 'passkey' },
    })
    return { ok: true }
  })
}
