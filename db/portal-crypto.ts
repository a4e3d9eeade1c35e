import { createBlindIndexer } from './blind-index'
import type { Crypto } from './import/prepare'
import { createKeyring } from './seal'

/** The keys every data module needs, from the configuration's base64 secrets. */
export function createPortalCrypto({
  dataKey,
  previousDataKeys = [],
  indexKey,
}: {
  dataKey: string
  previousDataKeys?: string[]
  indexKey: string
}): Crypto {
  return {
    keyring: createKeyring({ current: dataKey, previous: previousDataKeys }),
    index: createBlindIndexer(indexKey),
    secrets: { dataKey, indexKey },
  }
}

export type PortalCrypto = ReturnType<typeof createPortalCrypto>
