import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import { staffSessions } from './staff-session.server'

/**
 * Signing out: the session row goes, the entry says who left, both in one
 * transaction. A browser without a live session is only told to forget its cookie.
 */
export async function signOutStaff({
  db,
  request,
  clientIpIndex,
}: {
  db: PortalDatabase
  request: Request
  clientIpIndex: Buffer
}): Promise<string> {
  const store = staffSessions()
  return withTransaction(db, async (tx) => {
    const session = await store.live(request, tx)
    if (session) {
      await appendAuditEntry(tx, {
        actor: { kind: 'staff', id: session.staffId },
        action: 'staff.signed_out',
        target: { kind: 'staff', id: session.staffId },
        outcome: 'success',
        clientIpIndex,
      })
    }
    return store.end(request, tx)
  })
}
