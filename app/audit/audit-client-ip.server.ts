import type { AppLoadContext } from '@remix-run/node'
import { clientIp } from '~/security/client-ip.server'
import type { BlindIndexer } from '~db/blind-index'

/**
 * The client IP as an audit entry records it: a keyed hash, so entries of one
 * address can be grouped without the log holding the address. A kind of its
 * own, so it equals no rate-limit key or other index of the same text.
 */
export function auditClientIpIndex(context: Pick<AppLoadContext, 'clientIp'>, index: BlindIndexer): Buffer {
  // The current index key only: entries are immutable in the hash chain, so old ones keep the old key's.
  return index('audit-client-ip', clientIp(context))
}
