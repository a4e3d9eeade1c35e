import { open } from 'node:fs/promises'
import { basename } from 'node:path'

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
