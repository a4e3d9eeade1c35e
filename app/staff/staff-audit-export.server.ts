import { pipeline, Readable } from 'node:stream'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { stringify } from 'csv-stringify'
import { japanDate, japanIsoTime } from '~/i18n/date-format'
import { canonicalDetail } from '~db/audit-entry'
import { appendAuditEntry, readAuditChainHead } from '~db/audit-log'
import { countAuditEntries, readAuditEntries } from '~db/audit-log-query'
import { type PortalDatabase, withTransaction } from '~db/database'
import { filterFieldsInUse, readAuditQuery } from './staff-audit-filter.server'

/**
 * The filtered audit log as a CSV file for a supervisor: UTF-8 with a BOM
 * (Excel in Japan reads it as UTF-8 only then) and CRLF, newest first.
 */

/** The most entries one export holds; a wider one is cut there, and its audit entry says so. */
export const MAX_AUDIT_EXPORT_ROWS = 100_000

export const AUDIT_CSV_COLUMNS = [
  'sequence',
  'time',
  'actor',
  'action',
  'target',
  'outcome',
  'client_ip_hash',
  'detail',
  'entry_hash',
] as const

// Entries hold vocabulary words and IDs, none of which starts so; but an edited row may hold anything,
// and a spreadsheet runs a cell starting with one of these as a formula.
const FORMULA_START = /^[=+\-@\t\r]/

export type AuditExport =
  | { ok: true; response: Response; rows: number }
  | { ok: false; errors: Record<string, string> }

/**
 * Reads the filter from the query string (the page's own; its paging is
 * ignored: an export is the whole filtered list), records the export, then
 * streams it. The count and the entry are one transaction, bounded by the
 * chain's end as it then was; the log is append-only, so the entries read
 * afterwards up to that bound are exactly the ones counted, and the export's
 * own entry is not among them. The entry names the filter's fields, never
 * their values.
 */
export async function exportAuditCsv({
  db,
  url,
  staffId,
  clientIpIndex,
  now = Date.now(),
  maxRows = MAX_AUDIT_EXPORT_ROWS,
}: {
  db: PortalDatabase
  url: URL
  staffId: string
  clientIpIndex: Buffer
  now?: number
  /** A smaller cap, for tests. */
  maxRows?: number
}): Promise<AuditExport> {
  const query = readAuditQuery(url.searchParams)
  if (!query.ok) return { ok: false, errors: query.errors }
  const { upTo, rows } = await withTransaction(db, async (tx) => {
    const upTo = (await readAuditChainHead(tx)).lastSequence
    const rows = await countAuditEntries(tx, { filter: query.filter, upTo, cap: maxRows })
    await appendAuditEntry(
      tx,
      {
        actor: { kind: 'staff', id: staffId },
        action: 'audit.exported',
        outcome: 'success',
        clientIpIndex,
        detail: {
          filters: filterFieldsInUse(query.typed),
          rows,
          capped: rows === maxRows,
        },
      },
      { now },
    )
    return { upTo, rows }
  })
  const entries = readAuditEntries(db, { filter: query.filter, upTo, limit: maxRows })
  async function* records() {
    for await (const entry of entries) {
      yield [
        String(entry.sequence),
        japanIsoTime(entry.at),
        `${entry.actor.kind}:${entry.actor.id}`,
        entry.action,
        entry.target ? `${entry.target.kind}:${entry.target.id}` : '',
        entry.outcome,
        entry.clientIpIndex ? entry.clientIpIndex.toString('hex') : '',
        canonicalDetail(entry.detail),
        entry.hash.toString('hex'),
      ].map((cell) => (FORMULA_START.test(cell) ? `'${cell}` : cell))
    }
  }
  const csv = stringify({
    bom: true,
    header: true,
    columns: [...AUDIT_CSV_COLUMNS],
    record_delimiter: 'windows',
  })
  // Pulled a row at a time as the client reads: one page of entries in memory, however many are sent.
  // A failure midway destroys the stream, so the client sees a broken download rather than a short file.
  const body = pipeline(Readable.from(records()), csv, () => {})
  const response = new Response(createReadableStreamFromReadable(body), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-${japanDate(now).replaceAll('-', '')}.csv"`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    },
  })
  return { ok: true, response, rows }
}
