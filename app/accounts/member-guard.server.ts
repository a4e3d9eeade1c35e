import { redirect } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { requireVerifiedHuman } from '~/session/session.server'
import { findMemberAccountOfHuman, type MemberAccount } from '~db/member-accounts'
import type { RequiredAction } from '~db/schema'
import { firstOpenStep, STEP_PATHS } from './required-actions'

/** The verified visitor's member account; anyone verified without one goes back to their exposure. */
export async function requireMember(request: Request): Promise<MemberAccount> {
  const humanId = await requireVerifiedHuman(request)
  const account = await findMemberAccountOfHuman(db(), portalCrypto().keyring, humanId)
  if (!account) throw redirect('/exposure')
  return account
}

/**
 * A member on the page of `step`: sent to the first open step when that is
 * another, or to the account page when this step is not open.
 */
export async function requireMemberAtStep(request: Request, step: RequiredAction): Promise<MemberAccount> {
  const account = await requireMember(request)
  const first = firstOpenStep(account.openActions)
  if (first !== step) throw redirect(first ? STEP_PATHS[first] : '/account')
  return account
}

/**
 * The password page: step 1 while it is open, and later whenever the member
 * wants a new one (after "forgot password" led them through the e-mail check).
 * Only another open step comes first.
 */
export async function requireMemberForPassword(request: Request): Promise<MemberAccount> {
  const account = await requireMember(request)
  const first = firstOpenStep(account.openActions)
  if (first && first !== 'reset_password') throw redirect(STEP_PATHS[first])
  return account
}
