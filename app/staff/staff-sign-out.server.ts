import { appendAuditEntry } from '~db/audit-log'
import { type SqliteDatabase, withSqliteTransaction } from '~db/client'
import { staffSessions } from './staff-session.server'

/**
 * Signing out: the session row goes, the entry says who left, both in one
 * transaction. A browser without a live session is only told to forget its cookie.
 */
export function signOutStaff({
  db,
  request,
  clientIpIndex,
}: {
  db: SqliteDatabase
  request: Request
  clientIpIndex: Buffer
}): string {
  const store = staffSessions()
  return withSqliteTransaction(db, (tx) => {
    const session = store.live(request)
    if (session) {
      appendAuditEntry(tx, {
        actor: { kind: 'staff', id: session.staffId },
        action: 'staff.signed_out',
        target: { kind: 'staff', id: session.staffId },
        outcome: 'success',
        clientIpIndex,
      })
    }
    return store.end(request)
  })
}
