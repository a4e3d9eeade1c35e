import { type BlindIndexer, createBlindIndexer } from './blind-index'
import { createKeyring, type Keyring } from './seal'

/** The keys in use; `secrets` lets worker threads build the same keys. */
export type PortalCrypto = {
  keyring: Keyring
  index: BlindIndexer
  secrets: { dataKey: string; indexKey: string }
}

/** The keys every data module needs, from the configuration's base64 secrets. */
export function createPortalCrypto({
  dataKey,
  previousDataKeys = [],
  indexKey,
}: {
  dataKey: string
  previousDataKeys?: string[]
  indexKey: string
}): PortalCrypto {
  return {
    keyring: createKeyring({ current: dataKey, previous: previousDataKeys }),
    index: createBlindIndexer(indexKey),
    secrets: { dataKey, indexKey },
  }
}
