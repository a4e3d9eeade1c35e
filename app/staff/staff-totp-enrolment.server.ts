import { newRecoveryCodes, recoveryCodeHash } from '~/staff/recovery-codes.server'
import { accountBarred, failedSecondFactor } from '~/staff/staff-second-factor.server'
import type { StaffSession } from '~/staff/staff-session.server'
import { matchedTotpStep, newTotpSecret, type TotpOffer, totpOffer } from '~/staff/staff-totp.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { enrolTotp, holdTotpEnrolment, readTotpEnrolment, replaceRecoveryCodes } from '~db/staff-factors'
import { clearStaffSignInFailures, findStaffMemberById } from '~db/staff-members'
import { recordSecondFactor } from '~db/staff-sessions'

/**
 * Enrolling an authenticator app, at the first sign-in or after a supervisor
 * reset the factors: the page offers a secret (held, sealed, by the session,
 * so a reload shows the same QR code), one code from the app confirms it, and
 * then the ten recovery codes are shown, once. The confirming code's step is
 * spent, the session becomes whole, and one audit entry records it, all in
 * one transaction.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; session: StaffSession }

/** The secret this session offers, made on first sight, as a QR code, key and URI. */
export async function currentTotpOffer({ db, crypto, session }: Context): Promise<TotpOffer> {
  const held = await readTotpEnrolment(db, crypto.keyring, session)
  const secret = held ?? newTotpSecret()
  if (!held) await holdTotpEnrolment(db, crypto.keyring, { ...session, secret })
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  return totpOffer(secret, member?.email ?? session.staffId)
}

export type TotpEnrolmentOutcome =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: 'wrong' | 'locked' | 'no-offer' | 'already-enrolled' }

export async function confirmTotpEnrolment({
  db,
  crypto,
  session,
  digits,
  clientIpIndex,
  now = new Date(),
}: Context & { digits: string; clientIpIndex: Buffer; now?: Date }): Promise<TotpEnrolmentOutcome> {
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  if (!member || accountBarred(member, now)) return { ok: false, reason: 'locked' }
  if (member.hasTotp) return { ok: false, reason: 'already-enrolled' }
  const secret = await readTotpEnrolment(db, crypto.keyring, session)
  // The offer went with a reload elsewhere or an expired session: the page makes a new one.
  if (!secret) return { ok: false, reason: 'no-offer' }
  const step = matchedTotpStep(secret, digits, now)
  const recoveryCodes = newRecoveryCodes()
  return withTransaction(db, async (tx): Promise<TotpEnrolmentOutcome> => {
    if (step === undefined) {
      const failed = await failedSecondFactor(tx, {
        member,
        clientIpIndex,
        factor: 'totp',
        reason: 'wrong_code',
        now,
        action: 'staff.mfa_enrolled',
      })
      return { ok: false, reason: !failed.ok && failed.reason === 'locked' ? 'locked' : 'wrong' }
    }
    if (!(await enrolTotp(tx, crypto.keyring, { staffId: member.id, secret, step, now }))) {
      return { ok: false, reason: 'already-enrolled' }
    }
    await replaceRecoveryCodes(tx, {
      staffId: member.id,
      codeHashes: recoveryCodes.map((code) => recoveryCodeHash(crypto.index, member.id, code)),
      now,
    })
    await clearStaffSignInFailures(tx, member.id)
    await recordSecondFactor(tx, { idHash: session.idHash, factor: 'totp', now: now.getTime() })
    const staff = { kind: 'staff', id: member.id } as const
    await appendAuditEntry(tx, {
      actor: staff,
      action: 'staff.mfa_enrolled',
      target: staff,
      outcome: 'success',
      clientIpIndex,
      detail: { factor: 'totp', recoveryCodes: recoveryCodes.length },
    })
    return { ok: true, recoveryCodes }
  })
}
