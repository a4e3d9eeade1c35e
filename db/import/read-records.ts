import { type CastingContext, parse } from 'csv-parse/sync'

/** Where a record starts within a chunk: record 1 is its first record, line 1 its first line. */
export type RecordPosition = { record: number; line: number }

export type RecordVisitor = {
  record: (fields: Record<string, string>, position: RecordPosition) => void
  malformed: (position: RecordPosition, reason: string) => void
}

/**
 * Reads the CSV records of one chunk of whole records, skipping empty lines.
 * Legacy exports rarely quote anything: a chunk without a quote (nor a bare
 * carriage return) is split directly, which is several times faster than a
 * full parser and gives the same records; any other chunk goes to csv-parse.
 */
export function readRecords(text: string, columns: string[], visitor: RecordVisitor) {
  if (text.includes('"') || /\r(?!\n)/.test(text)) parseQuotedRecords(text, columns, visitor)
  else splitPlainRecords(text, columns, visitor)
}

const WRONG_FIELD_COUNT = 'wrong number of fields'

export function splitPlainRecords(text: string, columns: string[], visitor: RecordVisitor) {
  const lines = text.split('\n')
  // A chunk ends with a line break, which leaves one empty string after it.
  if (lines.at(-1) === '') lines.pop()
  let record = 0
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine
    if (line === '') return
    const position = { record: ++record, line: index + 1 }
    const values = line.split(',')
    if (values.length !== columns.length) {
      visitor.malformed(position, WRONG_FIELD_COUNT)
      return
    }
    const fields: Record<string, string> = {}
    for (let i = 0; i < columns.length; i++) fields[columns[i] as string] = values[i] as string
    visitor.record(fields, position)
  })
}

export function parseQuotedRecords(text: string, columns: string[], visitor: RecordVisitor) {
  let records = 0
  let lastLine = 0
  let lastEmptyLines = 0
  const place = (context: Pick<CastingContext, 'lines' | 'empty_lines'>) => {
    const position = { record: ++records, line: lastLine + 1 + (context.empty_lines - lastEmptyLines) }
    lastLine = context.lines
    lastEmptyLines = context.empty_lines
    return position
  }
  parse(text, {
    columns,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (fields: Record<string, string>, context) => {
      visitor.record(fields, place(context))
      return null
    },
    on_skip: (error) => {
      const context = error as unknown as CastingContext | undefined
      visitor.malformed(
        place({
          lines: Number(context?.lines ?? lastLine + 1),
          empty_lines: Number(context?.empty_lines ?? lastEmptyLines),
        }),
        describeCsvError(error?.code),
      )
      return undefined
    },
  })
}

function describeCsvError(code: string | undefined) {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return WRONG_FIELD_COUNT
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'broken quoting'
    default:
      return 'unreadable CSV row'
  }
}
