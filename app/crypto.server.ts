import { type Config, getConfig } from '~/config.server'
import { sqliteDb } from '~/db.server'
import type { SqliteDatabase } from '~db/client'
import { cryptoForDatabase } from '~db/index-key-rotation'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'

type KeysConfig = Pick<
  Config,
  'PORTAL_DATA_KEY' | 'PORTAL_PREVIOUS_DATA_KEYS' | 'PORTAL_INDEX_KEY' | 'PORTAL_PREVIOUS_INDEX_KEY'
>

/**
 * The sealing keyring and blind indexer for the configured keys; given the
 * database, with lookups also under the index key its digests may still be
 * under (see `cryptoForDatabase`), which any command that looks rows up needs.
 */
export function cryptoFromConfig(config: KeysConfig, database?: SqliteDatabase) {
  const crypto = createPortalCrypto({
    dataKey: config.PORTAL_DATA_KEY,
    previousDataKeys: config.PORTAL_PREVIOUS_DATA_KEYS,
    indexKey: config.PORTAL_INDEX_KEY,
    ...(config.PORTAL_PREVIOUS_INDEX_KEY && { previousIndexKey: config.PORTAL_PREVIOUS_INDEX_KEY }),
  })
  return database ? cryptoForDatabase(database, crypto) : crypto
}

let shared: PortalCrypto | undefined

/** The keys for request handlers, made once per process (key import is not free). */
export function portalCrypto() {
  shared ??= cryptoFromConfig(getConfig(), sqliteDb())
  return shared
}
