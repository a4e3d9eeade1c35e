import { type BlindIndexer, createBlindIndexer } from './blind-index'
import { createKeyring, type Keyring } from './seal'

/** The keys, as configured: base64 secrets, the current data key first. */
export type PortalSecrets = { dataKey: string; previousDataKeys?: string[]; indexKey: string }

/** The keys in use; `secrets` lets worker threads build the same keys. */
export type PortalCrypto = {
  keyring: Keyring
  index: BlindIndexer
  secrets: PortalSecrets
}

/** The keys every data module needs, from the configuration's base64 secrets. */
export function createPortalCrypto(secrets: PortalSecrets): PortalCrypto {
  return {
    keyring: createKeyring({ current: secrets.dataKey, previous: secrets.previousDataKeys ?? [] }),
    index: createBlindIndexer(secrets.indexKey),
    secrets,
  }
}
