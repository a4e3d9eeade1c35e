import { type PortalDatabase, prepared } from './client'

/**
 * Runs `work` (inserts, updates, anything) in a savepoint of the caller's
 * transaction, then keeps it or undoes it. A branch that must leave no trace
 * (`keep: false`) thus costs what the branch that does would: the same
 * statements, seals and B-tree updates, the same savepoint, and a rollback to
 * it instead of keeping them. Undone work must still satisfy every
 * constraint, foreign keys included, as it runs. (Deferring foreign keys
 * instead would need a pragma, which expires every prepared statement of the
 * connection: 0.3 ms a request.)
 */
export function tentatively(db: PortalDatabase, { keep }: { keep: boolean }, work: () => void) {
  if (!db.$client.inTransaction) throw new Error('tentative work needs a transaction to undo it in')
  prepared(db, 'savepoint tentative').run()
  try {
    work()
    if (!keep) prepared(db, 'rollback to tentative').run()
  } catch (error) {
    prepared(db, 'rollback to tentative').run()
    throw error
  } finally {
    prepared(db, 'release tentative').run()
  }
}
