import type { PortalDatabase } from '~db/database'
import { CURRENT_SUITE, type Keyring, SEAL_SUITES, type SealSuite } from '~db/seal'
import { sealedValueCounts } from '~db/sealed-columns'

/**
 * What `npm run keys:status` reports and the server checks before it serves:
 * how many stored values each data key and suite sealed, which of them this
 * configuration can open, and how many a rotation still has to re-seal.
 */

export type KeyRole = 'current' | 'previous' | 'not configured'

export type KeyUsage = {
  /** The key's ID as it travels in each value: 4 hex digits, derived from the key, never the key. */
  keyId: string
  role: KeyRole
  /** Values by suite name. */
  suites: Partial<Record<(typeof SEAL_SUITES)[SealSuite], number>>
  values: number
}

export type KeyStatus = {
  keys: KeyUsage[]
  /** Values not under the current key and suite: what a rotation has still to re-seal. */
  toReseal: number
  /** Values under a key this configuration lacks: nobody can open them until it is configured. */
  unopenable: number
  /** Bytes in a sealed column that are no sealed value at all. */
  malformed: number
}

export const keyIdHex = (id: number) => id.toString(16).padStart(4, '0')

export async function keyStatus(db: PortalDatabase, keyring: Keyring): Promise<KeyStatus> {
  const byKey = new Map<number, KeyUsage>()
  let toReseal = 0
  let unopenable = 0
  let malformed = 0
  for (const count of await sealedValueCounts(db)) {
    if (count.suite === undefined) {
      malformed += count.values
      continue
    }
    const role: KeyRole =
      count.keyId === keyring.current.id
        ? 'current'
        : keyring.byId.has(count.keyId)
          ? 'previous'
          : 'not configured'
    const usage = byKey.get(count.keyId) ?? { keyId: keyIdHex(count.keyId), role, suites: {}, values: 0 }
    const suite = SEAL_SUITES[count.suite]
    usage.suites[suite] = (usage.suites[suite] ?? 0) + count.values
    usage.values += count.values
    byKey.set(count.keyId, usage)
    if (role !== 'current' || count.suite !== CURRENT_SUITE) toReseal += count.values
    if (role === 'not configured') unopenable += count.values
  }
  // The current key first, even when it has sealed nothing yet, then the others by how much they hold.
  const current = byKey.get(keyring.current.id) ?? {
    keyId: keyIdHex(keyring.current.id),
    role: 'current' as const,
    suites: {},
    values: 0,
  }
  const others = [...byKey.values()].filter((usage) => usage !== current).sort((a, b) => b.values - a.values)
  return { keys: [current, ...others], toReseal, unopenable, malformed }
}

/**
 * Why the portal must not start on this database with these keys, or
 * undefined: each key ID that sealed values this configuration cannot open,
 * with their count.
 */
export function unopenableKeysMessage(status: KeyStatus) {
  const missing = status.keys.filter((key) => key.role === 'not configured')
  if (missing.length === 0) return undefined
  const listed = missing
    .map((key) => `key ${key.keyId} (${key.values.toLocaleString('en')} values)`)
    .join(', ')
  return `Stored values are sealed under data keys this configuration does not have: ${listed}. Add each to PORTAL_PREVIOUS_DATA_KEYS (npm run keys:status shows what each key holds); the portal does not start until every value can be opened.`
}
