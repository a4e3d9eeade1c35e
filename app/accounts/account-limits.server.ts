import type { AppLoadContext } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { clientIp, ipLimitKey } from '~/security/client-ip.server'
import { hitLimit, type LimitCheck, limitCodesToAddress, limits } from '~/security/rate-limit.server'
import type { PortalDatabase } from '~db/database'
import type { MemberAccount } from '~db/member-accounts'
import { normaliseEmail } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'

/**
 * What one client and one member account may make the member pages do: every
 * post that sends mail or costs CPU counts per client IP and per account (a
 * code also per address it goes to), so neither a burst of details posts nor
 * a script at the strength meter can fill the outbox or the password helper.
 * A refused post has done nothing; the page says when to come back (429).
 */

/** What a post is about to do, each with its own per-account limit. */
export type CostlyAccountPost = 'details' | 'password' | 'strength'

const perMember = (post: CostlyAccountPost) =>
  post === 'password'
    ? limits.passwordTriesPerMember
    : post === 'strength'
      ? limits.strengthChecksPerMember
      : undefined

/**
 * Counts a member-page post against its client, then against the account for
 * what it does. Details posts count per client only: the code a new address
 * gets counts in `limitEmailChangeCode`, when there is one.
 */
export async function limitAccountPost(
  context: Pick<AppLoadContext, 'clientIp'>,
  { post, account }: { post: CostlyAccountPost; account: MemberAccount },
): Promise<LimitCheck> {
  const store = { db: db(), crypto: portalCrypto() }
  const perIp = await hitLimit(
    store.db,
    store.crypto,
    limits.accountPostsPerIp,
    ipLimitKey(clientIp(context)),
  )
  if (perIp.limited) return perIp
  const limit = perMember(post)
  return limit ? hitLimit(store.db, store.crypto, limit, String(account.subjectId)) : perIp
}

/**
 * A code to a member's new address: counted per account (whatever the
 * address), then per address (hourly and daily) with the identity check's codes, since either
 * way it is a code mailed to that address.
 */
export async function limitEmailChangeCode(
  { db, crypto }: { db: PortalDatabase; crypto: PortalCrypto },
  { account, address }: { account: MemberAccount; address: string },
): Promise<LimitCheck> {
  const perAccount = await hitLimit(db, crypto, limits.emailChangeCodesPerMember, String(account.subjectId))
  if (perAccount.limited) return perAccount
  return limitCodesToAddress(db, crypto, normaliseEmail(address) ?? address)
}
