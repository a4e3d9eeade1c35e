import type { SqliteDatabase } from '~db/client'
import { INDEXED_TABLES, type IndexedRow } from '~db/indexed-columns'
import type { PortalCrypto } from '~db/portal-crypto'

/** Each indexed row's stored update parameters against those its sealed values give under `crypto`. */
export function compareStoredDigests(db: SqliteDatabase, crypto: PortalCrypto) {
  let rows = 0
  let differing = 0
  for (const { table, select, digests } of INDEXED_TABLES) {
    const stored = db.$client.prepare(select).all(0, 1_000_000) as IndexedRow[]
    const columns = /set (.*) where/.exec(
      (INDEXED_TABLES.find((entry) => entry.table === table) as { update: string }).update,
    )?.[1] as string
    const names = columns.split(',').map((part) => part.trim().split(' ')[0] as string)
    const keyColumn = table === 'member_accounts' ? 'subject_id' : 'id'
    const read = db.$client.prepare(`select ${names.join(', ')} from ${table} where ${keyColumn} = ?`)
    for (const row of stored) {
      rows++
      const expected = digests(row, crypto.index, crypto.keyring).slice(0, -1)
      const actual = Object.values(read.get(row.key) as Record<string, unknown>)
      if (JSON.stringify(actual) !== JSON.stringify(expected)) differing++
    }
  }
  return { rows, differing }
}
