import { type Config, getConfig } from '~/config.server'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'

/** The sealing keyring and blind indexer for the configured keys. */
export function cryptoFromConfig(
  config: Pick<
    Config,
    'PORTAL_DATA_KEY' | 'PORTAL_PREVIOUS_DATA_KEYS' | 'PORTAL_INDEX_KEY' | 'PORTAL_PREVIOUS_INDEX_KEY'
  >,
) {
  return createPortalCrypto({
    dataKey: config.PORTAL_DATA_KEY,
    previousDataKeys: config.PORTAL_PREVIOUS_DATA_KEYS,
    indexKey: config.PORTAL_INDEX_KEY,
    ...(config.PORTAL_PREVIOUS_INDEX_KEY && { previousIndexKey: config.PORTAL_PREVIOUS_INDEX_KEY }),
  })
}

let shared: PortalCrypto | undefined

/** The keys for request handlers, made once per process (key import is not free). */
export function portalCrypto() {
  shared ??= cryptoFromConfig(getConfig())
  return shared
}
