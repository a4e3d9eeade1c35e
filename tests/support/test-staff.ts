import { createStaffMember } from '~/staff/staff-accounts.server'
import type { SqliteDatabase } from '~db/client'
import type { PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * An agent's account made as the staff command makes one (the address as it
 * is matched), for a test of its own; answers its ID and enrolment password.
 */
export async function createTestAgent(
  db: SqliteDatabase,
  crypto: PortalCrypto,
  { email, name, now }: { email: string; name: string; now?: Date },
) {
  const created = await createStaffMember({
    db: sqlitePortalDatabase(db),
    crypto,
    actor: { kind: 'system', via: 'command' },
    email: { shown: email, matched: email },
    name,
    role: 'agent',
    now,
  })
  if (!created.ok) throw new Error('could not create a test account')
  return created
}
