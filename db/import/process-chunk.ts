import iconv from 'iconv-lite'
import type { PortalCrypto } from '../portal-crypto'
import type { ExportKind } from './export-kinds'
import {
  type PreparedCard,
  type PreparedSubject,
  prepareAuctionBuyer,
  prepareCard,
  prepareEmployee,
  prepareMember,
  prepareWarehouseStaff,
} from './prepare'
import { readRecords } from './read-records'
import { firstProblem, ROW_SCHEMAS } from './records'
import type { SourceEncoding } from './source'

/** Positions are relative to the chunk: record 1 is its first record, line 1 its first line. */
export type ChunkRejection = { record: number; line: number; field: string; reason: string }
export type ChunkRow = { prepared: PreparedSubject | PreparedCard; record: number; line: number }
export type ChunkResult = { records: number; rows: ChunkRow[]; rejections: ChunkRejection[] }

export type ChunkJob = {
  kind: ExportKind
  encoding: SourceEncoding
  columns: string[]
  bytes: Uint8Array
  /** The first of the row IDs reserved for this chunk, one per line of it (see `reserveRowIds`). */
  firstId: number
}

const PREPARERS: Record<
  ExportKind,
  (crypto: PortalCrypto, row: never, id: number) => PreparedSubject | PreparedCard
> = {
  members: prepareMember,
  member_cards: prepareCard,
  auction_buyers: prepareAuctionBuyer,
  employees: prepareEmployee,
  warehouse_staff: prepareWarehouseStaff,
}

const UNDECODABLE = "bytes that are not text in the file's encoding (UTF-8 or CP932)"

/**
 * Parses, validates and prepares one chunk of whole records: everything but the
 * database write, so it can run on any thread.
 */
export function processChunk(crypto: PortalCrypto, job: ChunkJob): ChunkResult {
  const schema = ROW_SCHEMAS[job.kind]
  const prepare = PREPARERS[job.kind]
  // A view of the bytes, not a copy of them.
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength)
  const text = job.encoding === 'cp932' ? iconv.decode(bytes, 'cp932') : bytes.toString('utf8')
  const result: ChunkResult = { records: 0, rows: [], rejections: [] }
  readRecords(text, job.columns, {
    record: (fields, position) => {
      result.records++
      // Bytes the file's encoding has no character for were decoded as U+FFFD: the record is damaged.
      const damaged = job.columns.find((column) => fields[column]?.includes('\ufffd'))
      if (damaged !== undefined) {
        result.rejections.push({ ...position, field: damaged, reason: UNDECODABLE })
        return
      }
      const parsed = schema.safeParse(fields)
      if (parsed.success) {
        const id = job.firstId + result.rows.length
        result.rows.push({ prepared: prepare(crypto, parsed.data as never, id), ...position })
      } else result.rejections.push({ ...position, ...firstProblem(parsed.error) })
    },
    malformed: (position, reason) => {
      result.records++
      result.rejections.push({ ...position, field: '', reason })
    },
  })
  return result
}
