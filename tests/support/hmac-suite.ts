import { createBlindIndexer, createIndexLookup, indexKeyIdOf } from '~db/blind-index'
import type { PortalCrypto } from '~db/portal-crypto'

/**
 * The keys as the portal used them before the BLAKE2b suite: every digest by
 * HMAC-SHA256 under the same index key. For writing a database as an earlier
 * version left it.
 */
export function hmacSuiteCrypto(current: PortalCrypto): PortalCrypto {
  const { indexKey } = current.secrets
  const index = createBlindIndexer(indexKey, 'hmac-sha256')
  return {
    ...current,
    index,
    lookup: createIndexLookup(index),
    indexKeyId: indexKeyIdOf(indexKey, 'hmac-sha256'),
  }
}
