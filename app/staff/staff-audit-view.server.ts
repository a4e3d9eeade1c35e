import { dateFormat } from '~/i18n/date-format'
import { listAuditEntries } from '~db/audit-log'
import type { PortalDatabase } from '~db/client'

/** How many entries `/staff/audit` shows until it has filters and pages. */
export const AUDIT_PAGE_SIZE = 50

export type AuditRow = {
  sequence: number
  at: string
  actor: string
  action: string
  target: string
  outcome: string
}

/**
 * The latest entries as the supervisors' page shows them: time in Japan time
 * in the reader's language, actor and target as stored (staff IDs, command
 * names, human IDs: nothing personal is in the log to show).
 */
export function latestAuditRows({ db, language }: { db: PortalDatabase; language: string }): AuditRow[] {
  const format = dateFormat(language, { dateStyle: 'medium', timeStyle: 'medium' })
  return listAuditEntries(db, { limit: AUDIT_PAGE_SIZE }).entries.map((entry) => ({
    sequence: entry.sequence,
    at: format.format(new Date(entry.at)),
    actor: `${entry.actor.kind}:${entry.actor.id}`,
    action: entry.action,
    target: entry.target ? `${entry.target.kind}:${entry.target.id}` : '—',
    outcome: entry.outcome,
  }))
}
