import type { SignInName } from '~/forms/fields'
import type { PortalDatabase } from '~db/database'
import { replacePasswordHash } from '~db/member-account-updates'
import { findMemberByEmail, findMemberByMemberId } from '~db/member-accounts'
import type { PortalCrypto } from '~db/portal-crypto'
import { hashPassword, needsRehash, spendVerifyTime, verifyPassword } from './password-hash.server'
import { normalisePassword } from './password-policy.server'

export type SignInOutcome = { ok: true; humanId: number } | { ok: false }

/**
 * A member who has set a new password signs in with it and their address,
 * or their member ID (members the shop has no address for were told by
 * postcard). An unknown address or ID, or a member without a new password
 * yet, costs the same argon2 work as a real comparison, so the answer's
 * timing says nothing. A hash made with older parameters is replaced on the
 * way in.
 */
export async function signIn({
  db,
  crypto,
  name,
  password,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  name: SignInName
  password: string
}): Promise<SignInOutcome> {
  const candidate =
    name.kind === 'email'
      ? await findMemberByEmail(db, crypto.lookup('email', name.address))
      : await findMemberByMemberId(db, crypto.lookup('member-id', name.memberId))
  const normalised = normalisePassword(password)
  if (!candidate?.passwordHash) {
    await spendVerifyTime(normalised)
    return { ok: false }
  }
  if (!(await verifyPassword({ hash: candidate.passwordHash, password: normalised }))) return { ok: false }
  if (needsRehash(candidate.passwordHash)) {
    await replacePasswordHash(db, {
      subjectId: candidate.subjectId,
      passwordHash: await hashPassword(normalised),
    })
  }
  return { ok: true, humanId: candidate.humanId }
}

/** What the per-account failure limit counts a sign-in under: the address, or the member ID. */
export function signInLimitKey(name: SignInName) {
  return name.kind === 'email' ? name.address : `member-id:${name.memberId}`
}
