import { type CastingContext, parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import type { ExportKind } from './export-kinds'
import {
  type Crypto,
  type PreparedCard,
  type PreparedSubject,
  prepareAuctionBuyer,
  prepareCard,
  prepareEmployee,
  prepareMember,
  prepareWarehouseStaff,
} from './prepare'
import { firstProblem, ROW_SCHEMAS } from './records'
import type { SourceEncoding } from './source'

/** Positions are relative to the chunk: record 1 is its first record, line 1 its first line. */
export type ChunkRejection = { record: number; line: number; field: string; reason: string }
export type ChunkRow = { prepared: PreparedSubject | PreparedCard; record: number; line: number }
export type ChunkResult = { records: number; rows: ChunkRow[]; rejections: ChunkRejection[] }

export type ChunkJob = { kind: ExportKind; encoding: SourceEncoding; columns: string[]; bytes: Uint8Array }

const PREPARERS: Record<ExportKind, (crypto: Crypto, row: never) => PreparedSubject | PreparedCard> = {
  members: prepareMember,
  member_cards: prepareCard,
  auction_buyers: prepareAuctionBuyer,
  employees: prepareEmployee,
  warehouse_staff: prepareWarehouseStaff,
}

/**
 * Parses, validates and prepares one chunk of whole records: everything but the
 * database write, so it can run on any thread.
 */
export function processChunk(crypto: Crypto, job: ChunkJob): ChunkResult {
  const schema = ROW_SCHEMAS[job.kind]
  const prepare = PREPARERS[job.kind]
  const text =
    job.encoding === 'cp932'
      ? iconv.decode(Buffer.from(job.bytes), 'cp932')
      : Buffer.from(job.bytes).toString('utf8')
  const result: ChunkResult = { records: 0, rows: [], rejections: [] }
  let lastLine = 0
  let lastEmptyLines = 0
  const place = (context: Pick<CastingContext, 'lines' | 'empty_lines'>) => {
    result.records++
    const position = { record: result.records, line: lastLine + 1 + (context.empty_lines - lastEmptyLines) }
    lastLine = context.lines
    lastEmptyLines = context.empty_lines
    return position
  }
  parse(text, {
    columns: job.columns,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: Record<string, string>, context) => {
      const position = place(context)
      const parsed = schema.safeParse(record)
      if (parsed.success) result.rows.push({ prepared: prepare(crypto, parsed.data as never), ...position })
      else result.rejections.push({ ...position, ...firstProblem(parsed.error) })
      return null
    },
    on_skip: (error) => {
      const context = error as unknown as CastingContext | undefined
      const position = place({ lines: Number(context?.lines ?? lastLine + 1), empty_lines: lastEmptyLines })
      result.rejections.push({ ...position, field: '', reason: describeCsvError(error?.code) })
      return undefined
    },
  })
  return result
}

function describeCsvError(code: string | undefined) {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'wrong number of fields'
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'broken quoting'
    default:
      return 'unreadable CSV row'
  }
}
