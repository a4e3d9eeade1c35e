import {
  type BlindIndexer,
  createBlindIndexer,
  createIndexLookup,
  type IndexLookup,
  indexKeyIdOf,
} from './blind-index'
import { createKeyring, type Keyring } from './seal'

/** The keys, as configured: base64 secrets, the current data key first. */
export type PortalSecrets = {
  dataKey: string
  previousDataKeys?: string[]
  indexKey: string
  /** The index key a rotation is moving away from, until `npm run keys:rotate` has finished. */
  previousIndexKey?: string
}

/** The keys in use; `secrets` lets worker threads build the same keys. */
export type PortalCrypto = {
  keyring: Keyring
  /** The digest to store: under the current index key. */
  index: BlindIndexer
  /** The digests to find a stored one by: under the current index key and any previous one. */
  lookup: IndexLookup
  indexKeyId: string
  previousIndexKeyId?: string
  secrets: PortalSecrets
}

/** The keys every data module needs, from the configuration's base64 secrets. */
export function createPortalCrypto(secrets: PortalSecrets): PortalCrypto {
  const index = createBlindIndexer(secrets.indexKey)
  const previous = secrets.previousIndexKey ? createBlindIndexer(secrets.previousIndexKey) : undefined
  return {
    keyring: createKeyring({ current: secrets.dataKey, previous: secrets.previousDataKeys ?? [] }),
    index,
    lookup: createIndexLookup(index, previous),
    indexKeyId: indexKeyIdOf(secrets.indexKey),
    ...(secrets.previousIndexKey && { previousIndexKeyId: indexKeyIdOf(secrets.previousIndexKey) }),
    secrets,
  }
}
