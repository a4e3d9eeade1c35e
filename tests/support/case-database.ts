import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { normaliseIdentifier } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { SqlValue } from '~db/sql-store'
import { portalRows, portalValue } from './portal-rows'
import type { PortalServer } from './portal-server'

/**
 * What the case console's tests read straight from a running portal's
 * database, as the importer and the audit log stored it: whose case a record
 * is, the audit rows, and whether a text lies anywhere in the database
 * unsealed. `portal` is asked for each time, as the files start it in
 * `beforeAll`; every read goes to the database it serves from (its
 * DATABASE_URL), on either backend.
 */

export type AuditRow = {
  action: string
  actor_id: string
  target_id: string | null
  outcome: string
  detail: string
}

const POSTGRES_URL = /^postgres(ql)?:\/\//

export function caseDatabase(portal: () => PortalServer, crypto: PortalCrypto) {
  /** The human a natural ID belongs to, looked up by its blind index. */
  async function humanOf(
    cohort: string,
    kind: 'member-id' | 'buyer-id' | 'employee-id' | 'staff-id',
    id: string,
  ) {
    const index = crypto.index(kind, normaliseIdentifier(id) ?? '')
    return (await portalValue<number>(
      portal().databaseUrl,
      'select human_id from subjects where cohort = ? and natural_id_index = ?',
      cohort,
      index,
    )) as number
  }
  return {
    humanOf,
    humanOfMember: (memberId: string) => humanOf('member', 'member-id', memberId),
    auditRows: (where: string, ...values: SqlValue[]) =>
      portalRows<AuditRow>(
        portal().databaseUrl,
        `select * from audit_log where ${where} order by sequence`,
        ...values,
      ),
    /**
     * Whether the text is in the database as it is, unsealed: in the SQLite
     * file or its WAL (freed pages included), or on PostgreSQL in any value
     * of any table, text or bytes.
     */
    storedInClear: (text: string) => {
      const { databaseUrl, dataDirectory } = portal()
      return POSTGRES_URL.test(databaseUrl)
        ? inAnyRow(databaseUrl, text)
        : Promise.resolve(inFiles(dataDirectory, text))
    },
  }
}

function inFiles(dataDirectory: string, text: string) {
  return ['portal.db', 'portal.db-wal'].some((file) => {
    try {
      return readFileSync(join(dataDirectory, file)).includes(text)
    } catch {
      return false
    }
  })
}

async function inAnyRow(databaseUrl: string, text: string) {
  const tables = await portalRows<{ name: string }>(
    databaseUrl,
    "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
  )
  // Names from the catalogue itself, quoted as PostgreSQL spells them.
  for (const { name } of tables) {
    const rows = await portalRows<Record<string, unknown>>(
      databaseUrl,
      `select * from "${name.replaceAll('"', '""')}"`,
    )
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if ((typeof value === 'string' || Buffer.isBuffer(value)) && value.includes(text)) return true
      }
    }
  }
  return false
}
