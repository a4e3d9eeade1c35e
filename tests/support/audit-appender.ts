import { existsSync, writeFileSync } from 'node:fs'
import { appendAuditEntry } from '~db/audit-log'
import { closeDatabase, openDatabase } from '~db/client'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * A process that appends audit entries as staff member `APPENDER_ID` for
 * `RUN_MS`, each in its own transaction, so that two of them append into one
 * log at the same time. It says it is ready with a file `ready-APPENDER_ID` in
 * its working folder and starts when a file `go` appears there: a fixed start
 * time would let a process slow to start (a loaded machine) miss the other.
 */
// A staff ID per appender: S0000000001, S0000000002.
const id = `S${String(Number(process.env.APPENDER_ID)).padStart(10, '0')}`
const runMs = Number(process.env.RUN_MS)
const sqlite = openDatabase(String(process.env.DATABASE_URL))
const db = sqlitePortalDatabase(sqlite)
writeFileSync(`ready-${process.env.APPENDER_ID}`, '')
while (!existsSync('go')) await new Promise((resolve) => setTimeout(resolve, 1))
const startAt = Date.now()
let appended = 0
while (Date.now() < startAt + runMs) {
  await appendAuditEntry(db, { actor: { kind: 'staff', id }, action: 'case.opened', outcome: 'success' })
  appended++
  // Let the other process take the lock between appends.
  await new Promise((resolve) => setImmediate(resolve))
}
closeDatabase(sqlite)
console.log(JSON.stringify({ appended }))
