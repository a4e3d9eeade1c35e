import type { DatabaseReport } from '~db/backup'

/** What a backup or restore printed about the data: tables and rows counted, never a row's content. */
export function describeTables(report: DatabaseReport) {
  const rows = report.tables.reduce((sum, table) => sum + table.rows, 0)
  return `${report.tables.length} tables, ${rows.toLocaleString('en')} rows, schema at migration ${report.migrations.applied}`
}

export function megabytes(bytes: number) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
