import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import { fold } from '../normalise'
import { type ExportKind, kindFromFileName, kindFromHeader, missingColumns } from './export-kinds'
import { type SourceEncoding, UnreadableFileError } from './source'

const HEADER_BYTES = 16 * 1024

/** The kind of an export file, from its name or else its header, and its columns, checked. */
export async function peekHeader({
  path,
  encoding,
}: {
  path: string
  encoding: SourceEncoding
}): Promise<{ kind: ExportKind; columns: string[] }> {
  const name = basename(path)
  const columns = await readHeader(path, encoding)
  const kind = kindFromFileName(name) ?? kindFromHeader(columns)
  if (!kind)
    throw new UnreadableFileError(`${name}: not a recognised export (neither its name nor its header)`)
  const missing = missingColumns(kind, columns)
  if (missing.length > 0)
    throw new UnreadableFileError(`${name}: missing required column ${missing.join(', ')}`)
  return { kind, columns }
}

async function readHeader(path: string, encoding: SourceEncoding) {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(HEADER_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0)
    const text =
      encoding === 'cp932'
        ? iconv.decode(buffer.subarray(0, bytesRead), 'cp932')
        : buffer.subarray(0, bytesRead).toString('utf8')
    const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
    if (firstLine.trim() === '') throw new UnreadableFileError(`${basename(path)}: empty file`)
    const [header] = parse(firstLine, { relax_quotes: true }) as string[][]
    return (header ?? []).map((column) => fold(column).toLowerCase())
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error
    throw new UnreadableFileError(`${basename(path)}: the header row cannot be read`)
  } finally {
    await handle.close()
  }
}
