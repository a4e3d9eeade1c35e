import { type Config, getConfig } from '~/config.server'
import { openPortalDatabase } from '~db/backend'
import type { PortalDatabase } from '~db/database'
import { cryptoForDatabase } from '~db/index-key-rotation'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'

type KeysConfig = Pick<
  Config,
  'PORTAL_DATA_KEY' | 'PORTAL_PREVIOUS_DATA_KEYS' | 'PORTAL_INDEX_KEY' | 'PORTAL_PREVIOUS_INDEX_KEY'
>

/**
 * The sealing keyring and blind indexer for the configured keys, as they are:
 * enough to seal and open values. Looking rows up needs the database's word
 * on which index key its digests are under: `cryptoFromConfigForDatabase`.
 */
export function cryptoFromConfig(config: KeysConfig): PortalCrypto {
  return createPortalCrypto({
    dataKey: config.PORTAL_DATA_KEY,
    previousDataKeys: config.PORTAL_PREVIOUS_DATA_KEYS,
    indexKey: config.PORTAL_INDEX_KEY,
    ...(config.PORTAL_PREVIOUS_INDEX_KEY && { previousIndexKey: config.PORTAL_PREVIOUS_INDEX_KEY }),
  })
}

/**
 * The keys with lookups also under the index key the database's digests may
 * still be under (see `cryptoForDatabase`), which any command that looks
 * rows up needs.
 */
export function cryptoFromConfigForDatabase(config: KeysConfig, db: PortalDatabase): Promise<PortalCrypto> {
  return cryptoForDatabase(db, cryptoFromConfig(config))
}

/**
 * What `preparePortalCrypto` learnt from the database, kept on the process
 * rather than in this module: the server build carries a copy of this module
 * of its own, which the serving process prepares from outside it. Only the
 * key ID is kept; each copy makes its keys from the configuration.
 */
const PREPARED = Symbol.for('sekaimon.portal-crypto.indexed-also-under')
type Prepared = { indexedAlsoUnder: string | undefined }
const processSlots = globalThis as typeof globalThis & { [PREPARED]?: Prepared }

/**
 * Reads, once, which index key the database's digests are under, so that
 * `portalCrypto` can answer request handlers without waiting: awaited where
 * a process starts to serve, before it listens.
 */
export async function preparePortalCrypto(config: Config = getConfig()) {
  const opened = openPortalDatabase(config)
  try {
    const crypto = await cryptoFromConfigForDatabase(config, opened.db)
    processSlots[PREPARED] = { indexedAlsoUnder: crypto.secrets.indexedAlsoUnder }
  } finally {
    await opened.close()
  }
}

let shared: PortalCrypto | undefined

/** The keys for request handlers, made once per process (key import is not free). */
export function portalCrypto(): PortalCrypto {
  if (shared) return shared
  const prepared = processSlots[PREPARED]
  if (!prepared)
    throw new Error('portalCrypto() before preparePortalCrypto(): the serving process prepares it first')
  const crypto = cryptoFromConfig(getConfig())
  shared = prepared.indexedAlsoUnder
    ? createPortalCrypto({ ...crypto.secrets, indexedAlsoUnder: prepared.indexedAlsoUnder })
    : crypto
  return shared
}
