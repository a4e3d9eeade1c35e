import { createReadStream } from 'node:fs'

const NEWLINE = 0x0a
const QUOTE = 0x22

export type RecordChunk = {
  /** Whole records, ending just after a record's line break (or at the end of the file). */
  bytes: Buffer
  /** Line breaks in `bytes`, quoted ones included: the physical lines it spans. */
  lines: number
}

/**
 * Cuts a CSV file into chunks of whole records without parsing it, so that
 * chunks can be parsed on several threads. A line break ends a record only
 * outside quotes, and an escaped quote (`""`) flips the state twice, so
 * counting quotes is enough. Safe for UTF-8 and CP932 alike: neither uses the
 * bytes of `"` or a line break inside a multi-byte character. The first chunk
 * is the header record alone.
 */
export async function* chunkRecords({
  path,
  targetBytes,
  onBytes,
}: {
  path: string
  targetBytes: number
  onBytes?: (bytes: number) => void
}): AsyncGenerator<RecordChunk> {
  let pending = Buffer.alloc(0)
  let pendingLines = 0
  let inQuotes = false
  let header = true
  for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    onBytes?.(data.length)
    const combined = pending.length > 0 ? Buffer.concat([pending, data]) : data
    let start = 0
    let lines = pendingLines
    for (let i = pending.length; i < combined.length; i++) {
      const byte = combined[i]
      if (byte === QUOTE) inQuotes = !inQuotes
      else if (byte === NEWLINE) {
        lines++
        if (!inQuotes && (header || i + 1 - start >= targetBytes)) {
          yield { bytes: combined.subarray(start, i + 1), lines }
          header = false
          start = i + 1
          lines = 0
        }
      }
    }
    // A copy, so the large read buffer can be let go.
    pending = Buffer.from(combined.subarray(start))
    pendingLines = lines
  }
  if (pending.length > 0) yield { bytes: pending, lines: pendingLines }
}
