import { dateFormat } from '~/i18n/date-format'
import { listAuditEntries } from '~db/audit-log'
import { AUDIT_ACTIONS } from '~db/audit-vocabulary'
import type { PortalDatabase } from '~db/database'
import type { AuditFilterTyped } from './staff-audit-fields'
import { filterFieldsInUse, filterQuery, readAuditQuery } from './staff-audit-filter.server'

/** How many entries a page of `/staff/audit` shows. */
export const AUDIT_PAGE_SIZE = 50

export type AuditRow = {
  sequence: number
  at: string
  /** The moment as ISO 8601, for the `<time>` element. */
  iso: string
  actor: string
  action: string
  target: string
  outcome: string
}

export type AuditPage = {
  status: 200 | 400
  typed: AuditFilterTyped
  /** i18n keys by field, after a query the page could not read. */
  errors: Record<string, string>
  filtered: boolean
  rows: AuditRow[]
  /** The page's neighbours, keeping the filter; null where there is none. */
  links: { older: string | null; newer: string | null; newest: string | null; csv: string }
  actions: readonly string[]
}

/**
 * A page of the log as the supervisors' page shows it, read from the page's
 * query string: time in Japan time in the reader's language, actor and target
 * as stored (staff IDs, command names, human IDs: nothing personal is in the
 * log to show). A query it cannot read gives no rows and a 400, with what was
 * typed, so the form can say what to correct.
 */
export async function auditPage({
  db,
  language,
  url,
}: {
  db: PortalDatabase
  language: string
  url: URL
}): Promise<AuditPage> {
  const query = readAuditQuery(url.searchParams)
  const filtered = filterFieldsInUse(query.typed).length > 0
  const base = { typed: query.typed, filtered, actions: AUDIT_ACTIONS }
  if (!query.ok) {
    return {
      ...base,
      status: 400,
      errors: query.errors,
      rows: [],
      links: { older: null, newer: null, newest: null, csv: '/staff/audit/csv' },
    }
  }
  const page = await listAuditEntries(db, {
    filter: query.filter,
    before: query.before,
    after: query.after,
    limit: AUDIT_PAGE_SIZE,
  })
  const format = dateFormat(language, { dateStyle: 'medium', timeStyle: 'medium' })
  const cursor = query.before !== undefined || query.after !== undefined
  return {
    ...base,
    status: 200,
    errors: {},
    rows: page.entries.map((entry) => ({
      sequence: entry.sequence,
      at: format.format(new Date(entry.at)),
      iso: new Date(entry.at).toISOString(),
      actor: `${entry.actor.kind}:${entry.actor.id}`,
      action: entry.action,
      target: entry.target ? `${entry.target.kind}:${entry.target.id}` : '—',
      outcome: entry.outcome,
    })),
    links: {
      older:
        page.nextBefore === null
          ? null
          : `/staff/audit${filterQuery(query.typed, { before: page.nextBefore })}`,
      newer:
        page.newerAfter === null
          ? null
          : `/staff/audit${filterQuery(query.typed, { after: page.newerAfter })}`,
      // Back to the top from deep in the log, or from a page left empty by a stale link.
      newest: cursor ? `/staff/audit${filterQuery(query.typed)}` : null,
      csv: `/staff/audit/csv${filterQuery(query.typed)}`,
    },
  }
}
