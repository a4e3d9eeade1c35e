import type { PortalDatabase } from '~db/client'
import { replacePasswordHash } from '~db/member-account-updates'
import { findMemberByEmail } from '~db/member-accounts'
import type { PortalCrypto } from '~db/portal-crypto'
import { hashPassword, needsRehash, spendVerifyTime, verifyPassword } from './password-hash.server'
import { normalisePassword } from './password-policy.server'

export type SignInOutcome = { ok: true; humanId: number } | { ok: false }

/**
 * A member who has set a new password signs in with their address and it.
 * An unknown address, or a member without a new password yet, costs the same
 * argon2 work as a real comparison, so the answer's timing says nothing. A
 * hash made with older parameters is replaced on the way in.
 */
export async function signIn({
  db,
  crypto,
  email,
  password,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  email: string
  password: string
}): Promise<SignInOutcome> {
  const candidate = findMemberByEmail(db, crypto.index('email', email))
  const normalised = normalisePassword(password)
  if (!candidate?.passwordHash) {
    await spendVerifyTime(normalised)
    return { ok: false }
  }
  if (!(await verifyPassword({ hash: candidate.passwordHash, password: normalised }))) return { ok: false }
  if (needsRehash(candidate.passwordHash)) {
    replacePasswordHash(db, { subjectId: candidate.subjectId, passwordHash: await hashPassword(normalised) })
  }
  return { ok: true, humanId: candidate.humanId }
}
