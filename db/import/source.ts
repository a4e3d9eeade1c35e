import { open } from 'node:fs/promises'
import { basename } from 'node:path'

export type SourceEncoding = 'utf8' | 'cp932'

/** A file that cannot be imported at all; nothing of it is written. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError'
}

const SAMPLE_BYTES = 64 * 1024

/**
 * UTF-8 (with or without BOM) unless the first 64 KiB are not UTF-8, then
 * CP932. A sample with a BOM, or with more well-formed multi-byte UTF-8
 * characters than broken sequences, is UTF-8 with a few damaged bytes: read
 * as CP932 its every Japanese character would turn to nonsense, so it stays
 * UTF-8 and the records holding the damage are rejected (process-chunk.ts).
 */
export async function detectEncoding(path: string): Promise<SourceEncoding> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UnreadableFileError(`${basename(path)}: cannot open (${error.code ?? 'error'})`)
  })
  try {
    const sample = Buffer.alloc(SAMPLE_BYTES)
    const { bytesRead } = await handle.read(sample, 0, SAMPLE_BYTES, 0)
    return sampleEncoding(sample.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}

const BOM = [0xef, 0xbb, 0xbf]

/** The encoding a sample of the file reads best in. */
function sampleEncoding(sample: Buffer): SourceEncoding {
  if (BOM.every((byte, i) => sample[i] === byte)) return 'utf8'
  // `stream: true` tolerates a character cut in half at the end of the sample.
  const text = new TextDecoder('utf-8').decode(sample, { stream: true })
  let broken = 0
  let multiByte = 0
  for (const character of text) {
    if (character === '\ufffd') broken++
    else if ((character.codePointAt(0) ?? 0) > 0x7f) multiByte++
  }
  return broken === 0 || multiByte > broken ? 'utf8' : 'cp932'
}
