import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { normaliseIdentifier } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import { readDatabase } from './check-visitor'
import type { PortalServer } from './portal-server'

/**
 * What the case console's tests read straight from a running portal's
 * database, as the importer and the audit log stored it: whose case a record
 * is, the audit rows, and whether a text lies anywhere in the file unsealed.
 * `portal` is asked for each time, as the files start it in `beforeAll`.
 */

export type AuditRow = {
  action: string
  actor_id: string
  target_id: string | null
  outcome: string
  detail: string
}

export function caseDatabase(portal: () => PortalServer, crypto: PortalCrypto) {
  /** The human a natural ID belongs to, looked up by its blind index. */
  function humanOf(cohort: string, kind: 'member-id' | 'buyer-id' | 'employee-id' | 'staff-id', id: string) {
    const index = crypto.index(kind, normaliseIdentifier(id) ?? '')
    return readDatabase(portal().databasePath, (db) =>
      db
        .prepare('select human_id from subjects where cohort = ? and natural_id_index = ?')
        .pluck()
        .get(cohort, index),
    ) as number
  }
  return {
    humanOf,
    humanOfMember: (memberId: string) => humanOf('member', 'member-id', memberId),
    auditRows: (where: string, ...values: unknown[]) =>
      readDatabase(portal().databasePath, (db) =>
        db.prepare(`select * from audit_log where ${where} order by sequence`).all(...values),
      ) as AuditRow[],
    /** Whether the text is in the database file or its WAL as it is, unsealed. */
    storedInClear: (text: string) =>
      ['portal.db', 'portal.db-wal'].some((file) => {
        try {
          return readFileSync(join(portal().dataDirectory, file)).includes(text)
        } catch {
          return false
        }
      }),
  }
}
