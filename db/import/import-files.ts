import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { PortalDatabase } from '../client'
import { createCardWriter, createSubjectWriter, linkBuyersToMembers, type WriteCounts } from '../subjects'
import { type ExportKind, importOrder } from './export-kinds'
import { peekKind } from './peek'
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
import { detectEncoding, openSource, type SourceEncoding, UnreadableFileError } from './source'

export const MAX_ERRORS_PER_FILE = 1000
const BATCH_SIZE = 2000

export type RecordError = { record: number; line: number; field: string; reason: string }

export type FileReport = {
  file: string
  kind: ExportKind
  records: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  errors: RecordError[]
}

export type ImportProgress = {
  /** A file begins: its name and size in bytes. */
  start: (file: string, bytes: number) => void
  /** Bytes of the current file read so far (a delta) and records handled. */
  advance: (bytes: number, records: number) => void
  finish: () => void
}

type PlannedFile = { path: string; kind: ExportKind; encoding: SourceEncoding; bytes: number }

/** Files named on the command line, a directory standing for the CSV files in it. */
export async function expandPaths(paths: string[]) {
  const files: string[] = []
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new UnreadableFileError(`${path}: no such file or directory`)
    })
    if (!info.isDirectory()) files.push(path)
    else {
      const entries = await readdir(path)
      files.push(
        ...entries.filter((name) => name.toLowerCase().endsWith('.csv')).map((name) => join(path, name)),
      )
    }
  }
  return files
}

/** Every file recognised and its columns checked before anything is written. */
async function planImport(paths: string[]): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = []
  for (const path of await expandPaths(paths)) {
    const encoding = await detectEncoding(path)
    const kind = await peekKind({ path, encoding })
    planned.push({ path, kind, encoding, bytes: (await stat(path)).size })
  }
  // Members before their cards and before the buyers they are linked with, whatever the order given.
  return planned.sort((a, b) => importOrder(a.kind) - importOrder(b.kind))
}

export async function importFiles({
  db,
  crypto,
  paths,
  progress,
}: {
  db: PortalDatabase
  crypto: Crypto
  paths: string[]
  progress?: ImportProgress
}) {
  const plan = await planImport(paths)
  const files: FileReport[] = []
  for (const file of plan) {
    progress?.start(basename(file.path), file.bytes)
    files.push(await importFile({ db, crypto, file, progress }))
  }
  if (plan.some((file) => file.kind === 'members' || file.kind === 'auction_buyers')) linkBuyersToMembers(db)
  progress?.finish()
  return { files }
}

type Pending<T> = { prepared: T; record: number; line: number }

async function importFile({
  db,
  crypto,
  file,
  progress,
}: {
  db: PortalDatabase
  crypto: Crypto
  file: PlannedFile
  progress?: ImportProgress
}): Promise<FileReport> {
  const report: FileReport = {
    file: basename(file.path),
    kind: file.kind,
    records: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    errors: [],
  }
  const reject = (error: RecordError) => {
    report.rejected++
    if (report.errors.length < MAX_ERRORS_PER_FILE) report.errors.push(error)
  }
  const addCounts = (counts: WriteCounts) => {
    report.inserted += counts.inserted
    report.updated += counts.updated
    report.unchanged += counts.unchanged
  }

  const source = openSource({
    path: file.path,
    encoding: file.encoding,
    onBytes: (bytes) => progress?.advance(bytes, 0),
  })
  const flush = batchWriter({ db, kind: file.kind, reject, addCounts })
  const schema = ROW_SCHEMAS[file.kind]
  const prepare = PREPARERS[file.kind]
  let batch: Pending<PreparedSubject | PreparedCard>[] = []
  for await (const sourceRecord of source.records()) {
    report.records++
    const { recordNumber: record, line } = sourceRecord
    if (!sourceRecord.readable) {
      reject({ record, line, field: '', reason: sourceRecord.reason })
      continue
    }
    const parsed = schema.safeParse(sourceRecord.fields)
    if (!parsed.success) {
      reject({ record, line, ...firstProblem(parsed.error) })
      continue
    }
    batch.push({ prepared: prepare(crypto, parsed.data as never), record, line })
    if (batch.length >= BATCH_SIZE) {
      flush(batch)
      progress?.advance(0, batch.length)
      batch = []
    }
  }
  flush(batch)
  progress?.advance(0, batch.length)
  return report
}

const PREPARERS: Record<ExportKind, (crypto: Crypto, row: never) => PreparedSubject | PreparedCard> = {
  members: prepareMember,
  member_cards: prepareCard,
  auction_buyers: prepareAuctionBuyer,
  employees: prepareEmployee,
  warehouse_staff: prepareWarehouseStaff,
}

/** Writes one batch in one transaction; a killed import loses at most the batch in flight. */
function batchWriter({
  db,
  kind,
  reject,
  addCounts,
}: {
  db: PortalDatabase
  kind: ExportKind
  reject: (error: RecordError) => void
  addCounts: (counts: WriteCounts) => void
}) {
  if (kind === 'member_cards') {
    const cards = createCardWriter(db)
    return (batch: Pending<PreparedSubject | PreparedCard>[]) => {
      if (batch.length === 0) return
      const counts = cards.writeBatch(batch.map((pending) => pending.prepared as PreparedCard))
      addCounts(counts)
      for (const position of counts.unknownMember) {
        const pending = batch[position] as Pending<PreparedCard>
        reject({
          record: pending.record,
          line: pending.line,
          field: 'member_id',
          reason: 'no member with this member_id',
        })
      }
    }
  }
  const subjects = createSubjectWriter(db)
  return (batch: Pending<PreparedSubject | PreparedCard>[]) => {
    if (batch.length > 0)
      addCounts(subjects.writeBatch(batch.map((pending) => pending.prepared as PreparedSubject)))
  }
}
