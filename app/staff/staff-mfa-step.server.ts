import type { RelyingParty } from '~/staff/passkey-relying-party.server'
import { signInWithPasskey } from '~/staff/passkey-sign-in.server'
import type { SecondFactorCode } from '~/staff/staff-fields'
import { giveSecondFactor, type SecondFactorRefusal } from '~/staff/staff-second-factor.server'
import type { StaffSession } from '~/staff/staff-session.server'
import type { TotpOffer } from '~/staff/staff-totp.server'
import { confirmTotpEnrolment, currentTotpOffer } from '~/staff/staff-totp-enrolment.server'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { findStaffMemberById } from '~db/staff-members'

/**
 * What `/staff/login/mfa` shows and does: enrolment while the member has no
 * second factor (first sign-in, or after a supervisor's reset), otherwise the
 * code box, both at sign-in and when a page asks to step up.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; session: StaffSession }

export type SecondFactorStep =
  | { mode: 'enrol'; offer: TotpOffer }
  | {
      mode: 'verify'
      stepUp: boolean
      passkeysRequired: boolean
      unusedRecoveryCodes: number
      /** Whether the page offers the passkey button: the member has one, and this origin can use it. */
      passkeyOffered: boolean
      hasTotp: boolean
    }

export async function loadSecondFactorStep(
  context: Context & { party: RelyingParty | undefined },
): Promise<SecondFactorStep> {
  const { db, crypto, session, party } = context
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  if (member && !member.hasTotp && member.passkeys === 0) {
    return { mode: 'enrol', offer: await currentTotpOffer(context) }
  }
  return {
    mode: 'verify',
    stepUp: session.secondFactorAt !== null,
    passkeysRequired: member?.passkeysRequired ?? false,
    unusedRecoveryCodes: member?.unusedRecoveryCodes ?? 0,
    passkeyOffered: party !== undefined && (member?.passkeys ?? 0) > 0,
    hasTotp: member?.hasTotp ?? false,
  }
}

export type SecondFactorSubmission =
  | { done: 'signed-in' }
  | { done: 'enrolled'; recoveryCodes: string[] }
  | { refused: SecondFactorRefusal | 'no-offer' | 'already-enrolled' | 'format' | 'passkey' }

/** An app code typed at enrolment confirms the offer; any other code is the second factor itself. */
export async function submitSecondFactor({
  intent,
  code,
  clientIpIndex,
  ...context
}: Context & {
  intent: 'enrol' | 'verify'
  code: SecondFactorCode
  clientIpIndex: Buffer
}): Promise<SecondFactorSubmission> {
  if (intent === 'enrol') {
    // A recovery code cannot confirm an app: there are none before the app is enrolled.
    if (code.kind !== 'totp') return { refused: 'format' }
    const enrolled = await confirmTotpEnrolment({ ...context, digits: code.digits, clientIpIndex })
    return enrolled.ok
      ? { done: 'enrolled', recoveryCodes: enrolled.recoveryCodes }
      : { refused: enrolled.reason }
  }
  const given = await giveSecondFactor({ ...context, code, clientIpIndex })
  return given.ok ? { done: 'signed-in' } : { refused: given.reason }
}

/** A passkey's answer as the second factor; the origin must be one a passkey can belong to. */
export async function submitPasskey({
  party,
  ...context
}: Context & {
  party: RelyingParty | undefined
  response: { id: string; type: 'public-key' } & Record<string, unknown>
  clientIpIndex: Buffer
}): Promise<SecondFactorSubmission> {
  if (!party) return { refused: 'passkey' }
  const given = await signInWithPasskey({ ...context, party })
  if (given.ok) return { done: 'signed-in' }
  return { refused: given.reason === 'wrong' ? 'passkey' : given.reason }
}
