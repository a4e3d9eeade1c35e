import { createCipheriv, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import busboy from 'busboy'
import type { Config } from '~/config.server'
import { isStorageFull } from '~/server/storage-full-error'

/**
 * Reads a form with photos as it streams in, never the whole body in memory:
 * text fields into a FormData (each cut at a bound), each file into a spool
 * file under the data directory, encrypted on the way with a key that lives
 * only in this request's memory, so no photo of a shipping label ever lies
 * on disk in the clear, and a spool left by a crash is unreadable noise.
 *
 * Limits refuse a file, never the form: a file over its size, beyond the
 * count, or past the request's total is drained and reported, and every
 * other field is read as usual, so nothing typed is lost.
 */

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024
export const PHOTOS_TOTAL_MAX_BYTES = 30 * 1024 * 1024
/** Files read from one post; more are reported as one too many, unread. */
export const FILES_PER_POST = 5
/**
 * A text field is cut at this many bytes. Every field of the form is bounded
 * to far fewer characters (at most 4 bytes each), so a cut value is always
 * still too long, and the form reader refuses it as such.
 */
const FIELD_MAX_BYTES = 16 * 1024
// The type is read from the first bytes; file-type needs at most this many.
const HEAD_BYTES = 4100
// A file name is only ever echoed back in a message, shortened.
const NAME_MAX = 80

export type SpooledFile = {
  name: string
  size: number
  /** The first bytes, for the type to be read from. */
  head: Buffer
  path: string
  key: Buffer
  iv: Buffer
}

export type FileProblem = 'tooLarge' | 'tooMany' | 'overTotal'

export type ReceivedFile =
  | { kind: 'spooled'; file: SpooledFile }
  | { kind: 'refused'; name: string; problem: FileProblem }

export type MultipartForm = { form: FormData; files: ReceivedFile[]; discard: () => Promise<void> }

/**
 * Where photos wait, encrypted, while their request is read: under this
 * machine's DATA_DIRECTORY (beside a SQLite file unless set otherwise, as it
 * always was), never under public/. Each web node spools its own uploads.
 */
export function spoolDirectoryFor(config: Pick<Config, 'DATA_DIRECTORY'>) {
  return join(config.DATA_DIRECTORY, 'upload-spool')
}

export class MalformedMultipart extends Error {
  override name = 'MalformedMultipart'
}

/**
 * Reads the request's multipart body; `fileField` is the one field whose
 * files are kept. Throws `MalformedMultipart` for a body busboy cannot read;
 * the caller must `discard()` the spool when done, whatever happens.
 */
export async function readMultipartForm(
  request: Request,
  { spoolDirectory, fileField }: { spoolDirectory: string; fileField: string },
): Promise<MultipartForm> {
  if (!request.body) throw new MalformedMultipart('no body')
  await mkdir(spoolDirectory, { recursive: true, mode: 0o700 })
  const form = new FormData()
  const files: ReceivedFile[] = []
  const spooled: string[] = []
  const discard = async () => {
    await Promise.all(spooled.map((path) => rm(path, { force: true })))
  }
  // Bytes of the files kept so far, counted as they arrive.
  const budget = { used: 0 }
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: Object.fromEntries(request.headers),
      limits: {
        fieldSize: FIELD_MAX_BYTES,
        fields: 40,
        files: 20,
        parts: 60,
        headerPairs: 20,
        fileSize: PHOTO_MAX_BYTES,
      },
      defParamCharset: 'utf8',
    })
  } catch (error) {
    throw new MalformedMultipart(error instanceof Error ? error.message : 'unreadable')
  }
  const writes: Promise<void>[] = []
  parser.on('field', (name, value) => {
    if (typeof name === 'string' && name.length <= 64) form.append(name, value)
  })
  parser.on('file', (name, stream, info) => {
    const shown = shortName(info.filename)
    // An empty file input still sends a part: no file was chosen.
    if (name !== fileField || !info.filename) {
      stream.resume()
      return
    }
    const kept = files.filter((file) => file.kind === 'spooled').length
    if (kept >= FILES_PER_POST) {
      stream.resume()
      files.push({ kind: 'refused', name: shown, problem: 'tooMany' })
      return
    }
    const entry = spool(stream, shown, spoolDirectory, budget)
    spooled.push(entry.path)
    const index = files.push({ kind: 'refused', name: shown, problem: 'tooLarge' }) - 1
    const write = entry.done.then((outcome) => {
      files[index] = outcome
    })
    // Awaited once the body is read; a spool write that fails before then (a full disk) must not
    // count as an unhandled rejection, which would end the process.
    write.catch(() => {})
    writes.push(write)
  })
  try {
    await pipeline(Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), parser)
    await Promise.all(writes)
  } catch (error) {
    const settled = await Promise.allSettled(writes)
    await discard()
    // A full disk is not the sender's fault: it is answered as such (see app/server/storage-full.ts),
    // whether the spool write or the body's stream (ended by that write) failed first.
    const failures = [error, ...settled.flatMap((each) => (each.status === 'rejected' ? [each.reason] : []))]
    const full = failures.find(isStorageFull)
    if (full) throw full
    throw new MalformedMultipart(error instanceof Error ? error.message : 'unreadable')
  }
  return { form, files, discard }
}

function shortName(filename: string | undefined) {
  const name = (filename ?? '').normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '')
  return name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 1)}…` : name
}

/** One file into the spool, encrypted; refused (and its bytes dropped) when it passes a limit. */
function spool(
  stream: NodeJS.ReadableStream & { truncated?: boolean },
  name: string,
  directory: string,
  budget: { used: number },
) {
  const key = randomBytes(32)
  const iv = randomBytes(16)
  const path = join(directory, `${randomBytes(12).toString('hex')}.spool`)
  const cipher = createCipheriv('aes-256-ctr', key, iv)
  const heads: Buffer[] = []
  let headLength = 0
  let size = 0
  let overTotal = false
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length
    budget.used += chunk.length
    if (budget.used > PHOTOS_TOTAL_MAX_BYTES) overTotal = true
    if (headLength < HEAD_BYTES) {
      heads.push(chunk.subarray(0, HEAD_BYTES - headLength))
      headLength += Math.min(chunk.length, HEAD_BYTES - headLength)
    }
  })
  // Piped rather than in one pipeline with the file's stream: a write that fails (a full disk)
  // must not destroy that stream, whose rest is then read and dropped, or the parser would wait
  // on it and the request would never be answered.
  stream.on('error', (error) => cipher.destroy(error))
  stream.pipe(cipher)
  const written = pipeline(cipher, createWriteStream(path, { mode: 0o600, flags: 'wx' })).catch(
    (error: unknown) => {
      stream.unpipe(cipher)
      stream.resume()
      throw error
    },
  )
  const done = written.then(async (): Promise<ReceivedFile> => {
    if (stream.truncated || overTotal) {
      // A refused file's bytes leave the budget: the next file may still fit.
      budget.used -= size
      await rm(path, { force: true })
      return { kind: 'refused', name, problem: stream.truncated ? 'tooLarge' : 'overTotal' }
    }
    return { kind: 'spooled', file: { name, size, head: Buffer.concat(heads), path, key, iv } }
  })
  return { path, done }
}

/**
 * Housekeeping: spool files older than any request takes, left by a process
 * that died mid-upload. Unreadable without their key, which died with it;
 * removed so they take no space.
 */
export async function sweepSpool(
  directory: string,
  { olderThanMs, now = Date.now() }: { olderThanMs: number; now?: number },
) {
  const names = await readdir(directory).catch(() => [] as string[])
  let removed = 0
  for (const name of names) {
    if (!name.endsWith('.spool')) continue
    const path = join(directory, name)
    const info = await stat(path).catch(() => undefined)
    if (info && now - info.mtimeMs > olderThanMs) {
      await rm(path, { force: true })
      removed++
    }
  }
  return removed
}
