import type { PortalDatabase } from './client'

/**
 * Runs `work` (inserts, updates, anything) inside the caller's transaction and
 * then undoes it, so that a branch which must not leave a trace still costs
 * what the branch that does would: the same statements, seals and B-tree
 * updates, then a rollback to a savepoint instead of keeping them. Foreign
 * keys are checked at commit for the rest of the transaction, so the work may
 * name a row that does not exist (a stand-in person); being undone, it never
 * reaches the commit. Must be called inside a transaction.
 */
export function rehearse(db: PortalDatabase, work: () => void) {
  const sqlite = db.$client
  if (!sqlite.inTransaction) throw new Error('rehearse needs a transaction to undo its work in')
  // Resets itself when the transaction ends.
  sqlite.pragma('defer_foreign_keys = ON')
  sqlite.exec('savepoint rehearsal')
  try {
    work()
  } finally {
    sqlite.exec('rollback to rehearsal')
    sqlite.exec('release rehearsal')
  }
}
