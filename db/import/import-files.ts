import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { SqliteDatabase } from '../client'
import { type ImportOrigin, recordImport } from '../data-origin'
import type { PortalCrypto } from '../portal-crypto'
import { markPeopleChanged } from '../subjects'
import type { ChunkOutcome, ChunkStore } from './chunk-store'
import { chunkRecords } from './chunker'
import { type ExportKind, importOrder } from './export-kinds'
import { type ImportTarget, sqliteImportTarget } from './import-target'
import { peekHeader } from './peek'
import { type ChunkJob, processChunk } from './process-chunk'
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

export type ImportOptions = {
  crypto: PortalCrypto
  paths: string[]
  /** Generated demo data (`demo`) or anything else, real customers until proven otherwise. */
  origin?: ImportOrigin
  progress?: ImportProgress
  /** Files larger than this are prepared and written on worker threads. */
  workerThresholdBytes?: number
  /** About how many bytes of records each chunk (one transaction) holds. */
  chunkBytes?: number
}

/** Export files imported into a SQLite database (for PostgreSQL: postgres/import-target.ts). */
export function importFiles({ db, ...options }: ImportOptions & { db: SqliteDatabase }) {
  return importInto(sqliteImportTarget(db, options.crypto), options)
}

/** Export files imported into either backend: the same plan, preparation and report. */
export async function importInto(
  target: ImportTarget,
  {
    crypto,
    paths,
    progress,
    workerThresholdBytes = WORKER_THRESHOLD_BYTES,
    chunkBytes = CHUNK_BYTES,
    origin = 'export',
  }: ImportOptions,
) {
  const plan = await planImport(paths)
  // Where the people came from, and that they changed: the portal's own records, kept through its database.
  await recordImport(target.portal, origin)
  const files: FileReport[] = []
  let workers: ChunkWorkerPool | undefined
  const database = target.workerDatabase
  const pool = async () => {
    if (database) workers ??= await ChunkWorkerPool.start({ keys: crypto.secrets, database })
    return workers
  }
  try {
    await target.withLoad(async (bulk) => {
      for (const file of plan) {
        progress?.start(basename(file.path), file.bytes)
        const report = await importFile({
          target,
          crypto,
          file,
          progress,
          pool,
          bulk: bulk.active,
          workerThresholdBytes,
          chunkBytes,
        })
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
  if (plan.some((file) => file.kind === 'members' || file.kind === 'auction_buyers')) {
    await target.linkBuyersToMembers()
  }
  await markPeopleChanged(target.portal)
  progress?.finish()
  return { files }
}

const CHUNK_BYTES = 256 * 1024
// Small files are prepared on the main thread: starting workers would cost more than it saves.
const WORKER_THRESHOLD_BYTES = 4 * 1024 * 1024

async function importFile({
  target,
  crypto,
  file,
  progress,
  pool,
  bulk,
  workerThresholdBytes,
  chunkBytes,
}: {
  target: ImportTarget
  crypto: PortalCrypto
  file: PlannedFile
  progress?: ImportProgress
  pool: () => Promise<ChunkWorkerPool | undefined>
  bulk: boolean
  workerThresholdBytes: number
  chunkBytes: number
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
  const workers = file.bytes > workerThresholdBytes ? await pool() : undefined
  workers?.beginFile(file.kind, bulk)
  const store = workers ? undefined : target.chunkStore(file.kind, bulk)
  // On this thread chunks are written one after another, in file order, whether or not the store awaits.
  let written: Promise<unknown> = Promise.resolve()
  const storeChunk = (job: ChunkJob): Promise<ChunkOutcome> => {
    if (workers) return workers.run(job)
    const prepared = processChunk(crypto, job)
    const outcome = written.then(() => (store as ChunkStore)(prepared))
    // A chunk that failed stops the ones after it; its rejection is met where its outcome is awaited.
    outcome.catch(() => {})
    written = outcome
    return outcome
  }
  // Chunks are prepared on several threads at once and written in file order.
  const inFlight: { outcome: Promise<ChunkOutcome>; line: number }[] = []
  const maxInFlight = 2 * (workers?.size ?? 1)
  // Lines are known when a chunk is cut; its records only once it is parsed, in file order.
  let linesBefore = 0
  let header = true
  const rowIdsFor = await target.reserveRowIds(file.kind)
  for await (const chunk of chunkRecords({
    path: file.path,
    targetBytes: chunkBytes,
    onBytes: (bytes) => progress?.advance(bytes, 0),
  })) {
    if (header) {
      header = false
      linesBefore += chunk.lines
      continue
    }
    const job = {
      kind: file.kind,
      encoding: file.encoding,
      columns: file.columns,
      bytes: chunk.bytes,
      firstId: rowIdsFor(chunk.lines),
    }
    inFlight.push({ outcome: storeChunk(job), line: linesBefore })
    linesBefore += chunk.lines
    if (inFlight.length >= maxInFlight) await settleNext()
  }
  while (inFlight.length > 0) await settleNext()
  return report

  async function settleNext() {
    const next = inFlight.shift() as (typeof inFlight)[number]
    const outcome = await next.outcome
    for (const problem of outcome.problems) {
      report.rejected++
      if (report.errors.length < MAX_ERRORS_PER_FILE) {
        report.errors.push({
          ...problem,
          record: report.records + problem.record,
          line: next.line + problem.line,
        })
      }
    }
    report.records += outcome.records
    report.inserted += outcome.counts.inserted
    report.updated += outcome.counts.updated
    report.unchanged += outcome.counts.unchanged
    progress?.advance(0, outcome.records)
  }
}
