/**
 * One row as COPY's CSV: text always quoted (so '' is not null), bytes in
 * PostgreSQL's hex form, numbers as they are. Shared by `db:copy` and the
 * importer, which both bring rows in through `COPY … from stdin with (format csv)`.
 */
export function csvLine(row: unknown[]) {
  return `${row.map(csvValue).join(',')}\n`
}

function csvValue(value: unknown) {
  if (value === null || value === undefined) return ''
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  return `"${String(value).replaceAll('"', '""')}"`
}
