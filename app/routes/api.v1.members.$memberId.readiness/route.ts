import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { isShopRequest, memberReadiness } from '~/accounts/readiness.server'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'

const memberIdParam = z.string().min(1).max(64)

const answer = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...headers } })

/**
 * GET /api/v1/members/:memberId/readiness, for the shop: `{ ready, open }`.
 * 401 without the shop's token, 404 for a member we do not know.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  if (!isShopRequest(request, getConfig().SHOP_API_TOKEN)) {
    return answer({ error: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer realm="readiness"' })
  }
  const memberId = memberIdParam.safeParse(params.memberId)
  if (!memberId.success) return answer({ error: 'invalid_member_id' }, 400)
  const readiness = await memberReadiness({ db: db(), crypto: portalCrypto(), memberId: memberId.data })
  if (!readiness) return answer({ error: 'not_found' }, 404)
  return answer(readiness)
}
