import { appendAuditEntry } from '~db/audit-log'
import { closeDatabase, openDatabase } from '~db/client'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * A process that appends audit entries as staff member `APPENDER_ID` from
 * `START_AT` (epoch ms) for `RUN_MS`, each in its own transaction, so that two
 * of them started side by side append into one log at the same time.
 */
// A staff ID per appender: S0000000001, S0000000002.
const id = `S${String(Number(process.env.APPENDER_ID)).padStart(10, '0')}`
const startAt = Number(process.env.START_AT)
const runMs = Number(process.env.RUN_MS)
const sqlite = openDatabase(String(process.env.DATABASE_URL))
const db = sqlitePortalDatabase(sqlite)
while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 1))
let appended = 0
while (Date.now() < startAt + runMs) {
  await appendAuditEntry(db, { actor: { kind: 'staff', id }, action: 'case.opened', outcome: 'success' })
  appended++
  // Let the other process take the lock between appends.
  await new Promise((resolve) => setImmediate(resolve))
}
closeDatabase(sqlite)
console.log(JSON.stringify({ appended }))
