import { type PasskeyRegistration, registerPasskey, removePasskey } from '~/staff/passkey-registration.server'
import type { RelyingParty } from '~/staff/passkey-relying-party.server'
import type { StaffSession } from '~/staff/staff-session.server'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { findStaffMemberById } from '~db/staff-members'
import { listPasskeys } from '~db/staff-passkeys'

/**
 * What `/staff/passkeys` shows and does: the member's own passkeys, adding
 * one (the ceremony's answer), removing one. Removing the last passkey of a
 * member a supervisor requires passkeys of is refused: it would leave only
 * the recovery codes.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; session: StaffSession }

export type PasskeyRow = { id: number; number: number; createdAt: string; lastUsedAt: string | null }

export async function ownPasskeys({ db, crypto, session }: Context) {
  const member = await findStaffMemberById(db, crypto.keyring, session.staffId)
  const rows: PasskeyRow[] = (await listPasskeys(db, session.staffId)).map((passkey, index) => ({
    id: passkey.id,
    number: index + 1,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
  }))
  return { rows, required: member?.passkeysRequired ?? false, hasTotp: member?.hasTotp ?? false }
}

export type PasskeyChange =
  | PasskeyRegistration
  | { ok: false; reason: 'last-required' | 'not-found' | 'unavailable' }

export async function addPasskey(
  context: Context & { party: RelyingParty | undefined; response: unknown; clientIpIndex: Buffer },
): Promise<PasskeyChange> {
  const { party, ...rest } = context
  if (!party) return { ok: false, reason: 'unavailable' }
  return registerPasskey({ ...rest, party })
}

export async function dropPasskey(
  context: Context & { passkeyId: number; clientIpIndex: Buffer },
): Promise<PasskeyChange> {
  const { rows, required } = await ownPasskeys(context)
  if (required && rows.length === 1 && rows[0]?.id === context.passkeyId) {
    return { ok: false, reason: 'last-required' }
  }
  return (await removePasskey(context)) ? { ok: true } : { ok: false, reason: 'not-found' }
}
