import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { withBulkLoad } from '../bulk-load'
import type { PortalDatabase } from '../client'
import { createCardWriter, createSubjectWriter, linkBuyersToMembers, type WriteCounts } from '../subjects'
import { chunkRecords } from './chunker'
import { type ExportKind, importOrder } from './export-kinds'
import { peekHeader } from './peek'
import type { Crypto, PreparedCard, PreparedSubject } from './prepare'
import { type ChunkJob, type ChunkResult, type ChunkRow, processChunk } from './process-chunk'
import { detectEncoding, type SourceEncoding, UnreadableFileError } from './source'
import { ChunkWorkerPool } from './worker-pool'

export const MAX_ERRORS_PER_FILE = 1000

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

type PlannedFile = {
  path: string
  kind: ExportKind
  columns: string[]
  encoding: SourceEncoding
  bytes: number
}

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
    const { kind, columns } = await peekHeader({ path, encoding })
    planned.push({ path, kind, columns, encoding, bytes: (await stat(path)).size })
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
  let workers: ChunkWorkerPool | undefined
  const pool = () => {
    workers ??= new ChunkWorkerPool(crypto.secrets)
    return workers
  }
  try {
    await withBulkLoad({ db, keyring: crypto.keyring }, async (bulk) => {
      for (const file of plan) {
        progress?.start(basename(file.path), file.bytes)
        const report = await importFile({ db, crypto, file, progress, pool, bulk: bulk.active })
        // Later files look members up: the indexes must be there before them.
        const settled = bulk.settle()
        report.inserted += settled.inserted
        report.updated += settled.updated
        report.unchanged += settled.unchanged
        files.push(report)
      }
    })
  } finally {
    await workers?.close()
  }
  if (plan.some((file) => file.kind === 'members' || file.kind === 'auction_buyers')) linkBuyersToMembers(db)
  progress?.finish()
  return { files }
}

const CHUNK_BYTES = 256 * 1024
// Small files are prepared on the main thread: starting workers would cost more than it saves.
const WORKER_THRESHOLD_BYTES = 4 * 1024 * 1024

async function importFile({
  db,
  crypto,
  file,
  progress,
  pool,
  bulk,
}: {
  db: PortalDatabase
  crypto: Crypto
  file: PlannedFile
  progress?: ImportProgress
  pool: () => ChunkWorkerPool
  bulk: boolean
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
  const write = chunkWriter({ db, crypto, kind: file.kind, report, reject, bulk })
  const workers = file.bytes > WORKER_THRESHOLD_BYTES ? pool() : undefined
  const prepareChunk = (job: ChunkJob) =>
    workers ? workers.run(job) : Promise.resolve(processChunk(crypto, job))
  // Chunks are prepared out of order on several threads and written in file order.
  const inFlight: { result: Promise<ChunkResult>; line: number }[] = []
  const maxInFlight = 2 * (workers?.size ?? 1)
  // Lines are known when a chunk is cut; its records only once it is parsed, in file order.
  let linesBefore = 0
  let recordsBefore = 0
  let header = true
  for await (const chunk of chunkRecords({
    path: file.path,
    targetBytes: CHUNK_BYTES,
    onBytes: (bytes) => progress?.advance(bytes, 0),
  })) {
    if (header) {
      header = false
      linesBefore += chunk.lines
      continue
    }
    inFlight.push({
      result: prepareChunk({
        kind: file.kind,
        encoding: file.encoding,
        columns: file.columns,
        bytes: chunk.bytes,
      }),
      line: linesBefore,
    })
    linesBefore += chunk.lines
    if (inFlight.length >= maxInFlight) await writeNext()
  }
  while (inFlight.length > 0) await writeNext()
  return report

  async function writeNext() {
    const next = inFlight.shift() as (typeof inFlight)[number]
    const result = await next.result
    write(result, { record: recordsBefore, line: next.line })
    recordsBefore += result.records
    progress?.advance(0, result.records)
  }
}

type ChunkBase = { record: number; line: number }

/** Writes one prepared chunk in one transaction; a killed import loses at most the chunk in flight. */
function chunkWriter({
  db,
  crypto,
  kind,
  report,
  reject,
  bulk,
}: {
  db: PortalDatabase
  crypto: Crypto
  kind: ExportKind
  report: FileReport
  reject: (error: RecordError) => void
  bulk: boolean
}) {
  const addCounts = (counts: WriteCounts) => {
    report.inserted += counts.inserted
    report.updated += counts.updated
    report.unchanged += counts.unchanged
  }
  const subjects =
    kind === 'member_cards' ? undefined : createSubjectWriter(db, { keyring: crypto.keyring, bulk })
  const cards = kind === 'member_cards' ? createCardWriter(db) : undefined
  return (result: ChunkResult, base: ChunkBase) => {
    report.records += result.records
    const at = (position: { record: number; line: number }) => ({
      record: base.record + position.record,
      line: base.line + position.line,
    })
    // Rejections and unknown members are reported in file order.
    const problems: RecordError[] = result.rejections.map((rejection) => ({ ...rejection, ...at(rejection) }))
    if (subjects) addCounts(subjects.writeBatch(result.rows.map((row) => row.prepared as PreparedSubject)))
    if (cards) {
      const counts = cards.writeBatch(result.rows.map((row) => row.prepared as PreparedCard))
      addCounts(counts)
      for (const position of counts.unknownMember) {
        const row = result.rows[position] as ChunkRow
        problems.push({ ...at(row), field: 'member_id', reason: 'no member with this member_id' })
      }
    }
    for (const problem of problems.sort((a, b) => a.record - b.record)) reject(problem)
  }
}
