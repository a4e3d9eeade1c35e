import {
  type BlindIndexer,
  createBlindIndexer,
  createIndexLookup,
  INDEX_SUITES,
  type IndexLookup,
  type IndexSuite,
  indexKeyIdOf,
  type LookupDigests,
} from './blind-index'
import { createKeyring, type Keyring } from './seal'

/** The keys, as configured: base64 secrets, the current data key first. */
export type PortalSecrets = {
  dataKey: string
  previousDataKeys?: string[]
  indexKey: string
  /** The index key a rotation is moving away from, until `npm run keys:rotate` has finished. */
  previousIndexKey?: string
  /**
   * The ID of the index key and suite stored digests may still be under beside
   * the current one, as the database says (`cryptoForDatabase`): the previous
   * key's, or the current key's under the earlier suite after an upgrade.
   * Without it, the previous key's under the current suite.
   */
  indexedAlsoUnder?: string
}

/** The keys in use; `secrets` lets worker threads build the same keys. */
export type PortalCrypto = {
  keyring: Keyring
  /** The digest to store: under the current index key. */
  index: BlindIndexer
  /** The digests to find a stored one by: under the current index key and any previous one. */
  lookup: IndexLookup
  /**
   * The previous index key's indexer, while a rotation from it is not finished: for a keyed hash
   * that must be made again under the key a found row was made under (see `indexerFor`).
   */
  previousIndex?: BlindIndexer
  indexKeyId: string
  previousIndexKeyId?: string
  /** Every index key ID these keys can make digests under (each configured key under each suite), with its suite. */
  knownIndexKeys: ReadonlyMap<string, IndexSuite>
  secrets: PortalSecrets
}

/** The keys every data module needs, from the configuration's base64 secrets. */
export function createPortalCrypto(secrets: PortalSecrets): PortalCrypto {
  const index = createBlindIndexer(secrets.indexKey)
  const indexKeyId = indexKeyIdOf(secrets.indexKey)
  const known = new Map<string, { key: string; suite: IndexSuite }>()
  for (const key of [secrets.indexKey, secrets.previousIndexKey])
    for (const suite of INDEX_SUITES) if (key) known.set(indexKeyIdOf(key, suite), { key, suite })
  const previousIndexKeyId =
    secrets.indexedAlsoUnder ?? (secrets.previousIndexKey && indexKeyIdOf(secrets.previousIndexKey))
  const source = previousIndexKeyId === indexKeyId ? undefined : known.get(previousIndexKeyId ?? '')
  const previous = source && createBlindIndexer(source.key, source.suite)
  return {
    keyring: createKeyring({ current: secrets.dataKey, previous: secrets.previousDataKeys ?? [] }),
    index,
    lookup: createIndexLookup(index, previous),
    ...(previous && { previousIndex: previous, previousIndexKeyId }),
    indexKeyId,
    knownIndexKeys: new Map([...known].map(([id, { suite }]) => [id, suite])),
    secrets,
  }
}

/**
 * The indexer of the key a row found by `digests` was made under: the
 * previous key's when the row's digest is the second of the pair, else the
 * current one's (also when nothing was found).
 */
export function indexerFor(
  crypto: Pick<PortalCrypto, 'index' | 'previousIndex'>,
  digests: LookupDigests,
  found: Buffer | undefined,
): BlindIndexer {
  const underPrevious = found !== undefined && !found.equals(digests[0])
  return underPrevious && crypto.previousIndex ? crypto.previousIndex : crypto.index
}
