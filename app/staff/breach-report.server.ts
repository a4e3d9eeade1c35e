import { stringify } from 'csv-stringify/sync'
import { japanDate } from '~/i18n/date-format'
import { appendAuditEntry } from '~db/audit-log'
import { countAffected, countNoticesByDay } from '~db/breach-report'
import type { PortalDatabase } from '~db/database'
import { EXPOSURE_CATEGORIES } from '~db/exposure-categories'
import { MESSAGE_CHANNELS } from '~db/schema'

/**
 * The figures for the breach report to the Personal Information Protection
 * Commission, as a CSV file for a supervisor: UTF-8 with a BOM and CRLF, as
 * the audit log's export (Excel in Japan reads UTF-8 only with the BOM). One
 * table of counts, each row saying what it counts:
 *
 * - `affected`: people per cohort, and `all` (each human once);
 * - `affected_by_category`: the same per category of data exposed;
 * - `notified`: notices issued per channel and Japan day, and per channel in `all` days.
 */

export const BREACH_REPORT_COLUMNS = ['figure', 'cohort', 'category', 'channel', 'date', 'people'] as const

const DAY_MS = 24 * 60 * 60 * 1000
const JAPAN_OFFSET_MS = 9 * 60 * 60 * 1000

export async function breachReportRows(db: PortalDatabase): Promise<string[][]> {
  const affected = await countAffected(db)
  const notices = await countNoticesByDay(db)
  const rows: string[][] = []
  for (const { cohort, people } of affected) rows.push(['affected', cohort, '', '', '', String(people)])
  for (const { cohort, byCategory } of affected)
    for (const category of EXPOSURE_CATEGORIES)
      rows.push(['affected_by_category', cohort, category, '', '', String(byCategory[category])])
  for (const channel of MESSAGE_CHANNELS) {
    const days = notices.filter((row) => row.channel === channel)
    for (const { day, people } of days)
      rows.push(['notified', '', '', channel, japanDate(day * DAY_MS - JAPAN_OFFSET_MS), String(people)])
    rows.push(['notified', '', '', channel, 'all', String(days.reduce((sum, row) => sum + row.people, 0))])
  }
  return rows
}

/**
 * Counts the figures, records the export, then answers the file. The counts
 * are read before the audit entry's transaction, not inside it: at a million
 * people they take a moment, and a write transaction would hold every other
 * writer (the identity checks) that long. The file goes out only once its
 * entry is written. The entry holds the row count alone.
 */
export async function exportBreachReport({
  db,
  staffId,
  clientIpIndex,
  now = Date.now(),
}: {
  db: PortalDatabase
  staffId: string
  clientIpIndex: Buffer
  now?: number
}): Promise<Response> {
  const rows = await breachReportRows(db)
  await appendAuditEntry(
    db,
    {
      actor: { kind: 'staff', id: staffId },
      action: 'report.exported',
      outcome: 'success',
      clientIpIndex,
      detail: { rows: rows.length },
    },
    { now },
  )
  const csv = stringify(rows, {
    bom: true,
    header: true,
    columns: [...BREACH_REPORT_COLUMNS],
    record_delimiter: 'windows',
  })
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="breach-report-${japanDate(now).replaceAll('-', '')}.csv"`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
