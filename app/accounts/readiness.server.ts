import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { PortalDatabase } from '~db/database'
import { findReadiness } from '~db/member-readiness'
import { normaliseIdentifier } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { RequiredAction } from '~db/schema'

// Both sides are hashed with a key of this process before comparing, so the
// comparison takes the same time whatever the length of what was sent.
const comparisonKey = randomBytes(32)
const digest = (value: string) => createHmac('sha256', comparisonKey).update(value).digest()

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function isShopRequest(request: Request, token: string | undefined): boolean {
  const header = request.headers.get('authorization') ?? ''
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header)
  const presented = digest(match?.[1] ?? '')
  const expected = digest(token ?? '')
  return timingSafeEqual(presented, expected) && token !== undefined && match !== null
}

export type Readiness = { ready: boolean; open: RequiredAction[] }

/** What the shop may know of a member: ready or not, and which steps are open. Nothing personal. */
export async function memberReadiness({
  db,
  crypto,
  memberId,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  memberId: string
}): Promise<Readiness | undefined> {
  const normalised = normaliseIdentifier(memberId)
  if (!normalised) return undefined
  const found = await findReadiness(db, crypto.lookup('member-id', normalised))
  return found && { ready: found.openActions.length === 0, open: found.openActions }
}
