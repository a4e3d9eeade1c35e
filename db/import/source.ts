import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import { type CsvError, type Info, type Parser, parse } from 'csv-parse'
import iconv from 'iconv-lite'
import { fold } from '../normalise'

export type SourceEncoding = 'utf8' | 'cp932'

/** A file that cannot be imported at all; nothing of it is written. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError'
}

const SAMPLE_BYTES = 64 * 1024

/** UTF-8 (with or without BOM) unless the first 64 KiB are not valid UTF-8, then CP932. */
export async function detectEncoding(path: string): Promise<SourceEncoding> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UnreadableFileError(`${basename(path)}: cannot open (${error.code ?? 'error'})`)
  })
  try {
    const sample = Buffer.alloc(SAMPLE_BYTES)
    const { bytesRead } = await handle.read(sample, 0, SAMPLE_BYTES, 0)
    try {
      // `stream: true` tolerates a character cut in half at the end of the sample.
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, bytesRead), { stream: true })
      return 'utf8'
    } catch {
      return 'cp932'
    }
  } finally {
    await handle.close()
  }
}

export type SourceRecord =
  | { readable: true; fields: Record<string, string>; recordNumber: number; line: number }
  | { readable: false; reason: string; recordNumber: number; line: number }

type Skip = { afterRecords: number; endLine: number; emptyLines: number; reason: string }

/**
 * Streams a legacy CSV file as records keyed by normalised column name, in
 * file order with their record number and first physical line. A row the CSV
 * parser cannot read comes as an unreadable record in its place, and parsing
 * goes on.
 */
export function openSource({
  path,
  encoding,
  onBytes,
}: {
  path: string
  encoding: SourceEncoding
  onBytes?: (bytes: number) => void
}) {
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 })
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length))
  const decoded = (encoding === 'cp932' ? raw.pipe(iconv.decodeStream('cp932')) : raw) as Readable
  raw.on('error', (error) => decoded.destroy(error))

  // The parser reports a skipped row when it reads it, ahead of the records still buffered
  // for us; a queue puts it back in file order.
  const skips: Skip[] = []
  const parser: Parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // The header was checked before import (peek.ts); here its names are only normalised.
    columns: (header: string[]) => header.map((column) => fold(column).toLowerCase()),
    on_skip: (error: CsvError | undefined) => {
      const { records, lines, empty_lines } = parser.info
      skips.push({
        afterRecords: records,
        endLine: lines,
        emptyLines: empty_lines,
        reason: describeCsvError(error),
      })
      return undefined
    },
  })
  decoded.pipe(parser)

  async function* records(): AsyncGenerator<SourceRecord> {
    let recordNumber = 0
    let lastLine = 1
    let lastEmptyLines = 0
    const startLine = (emptyLines: number) => lastLine + 1 + (emptyLines - lastEmptyLines)
    function* skipsBefore(goodRecords: number): Generator<SourceRecord> {
      while (skips.length > 0 && (skips[0] as Skip).afterRecords < goodRecords) {
        const skip = skips.shift() as Skip
        recordNumber++
        yield { readable: false, reason: skip.reason, recordNumber, line: startLine(skip.emptyLines) }
        lastLine = skip.endLine
        lastEmptyLines = skip.emptyLines
      }
    }
    for await (const { info, record } of parser as AsyncIterable<{
      info: Info
      record: Record<string, string>
    }>) {
      yield* skipsBefore(info.records)
      recordNumber++
      yield { readable: true, fields: record, recordNumber, line: startLine(info.empty_lines) }
      lastLine = info.lines
      lastEmptyLines = info.empty_lines
    }
    yield* skipsBefore(Number.POSITIVE_INFINITY)
  }

  return { records }
}

function describeCsvError(error: CsvError | undefined) {
  switch (error?.code) {
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
