import type { SqliteDatabase } from '../client'
import type { PortalCrypto } from '../portal-crypto'
import { type CardWriteCounts, createCardWriter } from './card-writer'
import type { ExportKind } from './export-kinds'
import type { PreparedCard, PreparedSubject } from './prepare'
import type { ChunkRejection, ChunkResult, ChunkRow } from './process-chunk'
import type { WriteCounts } from './subject-versions'
import { createSubjectWriter } from './subject-writer'

/**
 * Hands out the row IDs of one file's chunks before they are prepared: a
 * sealed value is bound to its row's ID, and chunks are sealed on several
 * threads before any is written. A chunk gets one ID per line break in it,
 * plus one, which is at least as many as its records; IDs left unused (a
 * rejected record, a quoted line break, a row already stored) stay gaps.
 * Only the import writes these tables, so no one else takes a reserved ID.
 */
export function reserveRowIds(db: SqliteDatabase, kind: ExportKind) {
  const table = importedTable(kind)
  return rowIdsFrom(
    db.$client.prepare(`select coalesce(max(id), 0) + 1 from ${table}`).pluck().get() as number,
  )
}

/** The table an export kind's rows go to. */
export const importedTable = (kind: ExportKind) => (kind === 'member_cards' ? 'stored_cards' : 'subjects')

/** Row IDs for a file's chunks, from the first free one on (see `reserveRowIds`). */
export function rowIdsFrom(firstFree: number) {
  let next = firstFree
  return (lines: number) => {
    const first = next
    next += lines + 1
    return first
  }
}

/** What became of one chunk: its counts and its problems, positions relative to the chunk, in order. */
export type ChunkOutcome = { records: number; counts: WriteCounts; problems: ChunkRejection[] }

/** Synchronous on SQLite, which the import writes on its own connection; asynchronous on PostgreSQL. */
export type ChunkStore = (result: ChunkResult) => ChunkOutcome | Promise<ChunkOutcome>

/** A chunk of cards' outcome: the chunk's rejections, and its cards whose member is unknown, in order. */
export function cardsOutcome(
  result: ChunkResult,
  { unknownMember, ...counts }: CardWriteCounts,
): ChunkOutcome {
  const problems = [...result.rejections]
  for (const position of unknownMember) {
    const row = result.rows[position] as ChunkRow
    problems.push({
      record: row.record,
      line: row.line,
      field: 'member_id',
      reason: 'no member with this member_id',
    })
  }
  return { records: result.records, counts, problems: problems.sort((a, b) => a.record - b.record) }
}

/**
 * Writes prepared chunks of one export kind, each in one transaction, so a
 * killed import loses at most the chunk in flight. Runs on whichever thread
 * prepared the chunk: handing prepared rows to another thread costs more than
 * writing them.
 */
export function createChunkStore({
  db,
  crypto,
  kind,
  bulk,
}: {
  db: SqliteDatabase
  crypto: PortalCrypto
  kind: ExportKind
  bulk: boolean
}): ChunkStore {
  if (kind === 'member_cards') {
    const cards = createCardWriter(db)
    return (result) =>
      cardsOutcome(result, cards.writeBatch(result.rows.map((row) => row.prepared as PreparedCard)))
  }
  const subjects = createSubjectWriter(db, { keyring: crypto.keyring, bulk })
  return (result) => ({
    records: result.records,
    counts: subjects.writeBatch(result.rows.map((row) => row.prepared as PreparedSubject)),
    problems: result.rejections,
  })
}
