import { once } from 'node:events'
import {
  closeSync,
  createWriteStream,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { stringify } from 'csv-stringify'

/**
 * A CSV file written for someone outside the portal (the print vendor, the
 * shop's batch): UTF-8 with a BOM, which their Excel needs to read Japanese,
 * and CRLF; written under a temporary name and renamed into place only when
 * complete, so a file that exists is whole. Such files carry personal data or
 * member IDs: only the portal's user may read them (0600, in folders made 0700).
 */

export type AtomicCsvFile = {
  write: (row: string[]) => Promise<void>
  /** Flushes, syncs and renames the file into place; returns the rows written. */
  commit: () => Promise<number>
  /** Removes the unfinished file. */
  abandon: () => void
}

export function openAtomicCsv(path: string, columns: readonly string[]): AtomicCsvFile {
  // The umask can only narrow these modes; fchmod below makes the file exactly 0600 whatever it is.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // The printer folder's purge knows this name (PRINTER_FILE_NAME in ~/notify/printer-files.server).
  const temporary = `${path}.${process.pid}.partial`
  // A dead process's leftover under the same name goes; 'wx' then creates a new file or fails,
  // never writing through a file or link that was already there. The rename keeps the mode.
  rmSync(temporary, { force: true })
  const descriptor = openSync(temporary, 'wx', 0o600)
  fchmodSync(descriptor, 0o600)
  // Opened here, not by the stream in the background, so abandon() always finds the file to remove.
  const output = createWriteStream(temporary, { fd: descriptor })
  output.write('\uFEFF')
  const csv = stringify({ header: true, columns: [...columns], record_delimiter: 'windows' })
  csv.pipe(output)
  let rows = 0
  return {
    async write(row) {
      rows++
      if (!csv.write(row)) await once(csv, 'drain')
    },
    async commit() {
      csv.end()
      await once(output, 'finish')
      const descriptor = openSync(temporary, 'r')
      fsyncSync(descriptor)
      closeSync(descriptor)
      renameSync(temporary, path)
      return rows
    },
    abandon() {
      csv.destroy()
      output.destroy()
      rmSync(temporary, { force: true })
    },
  }
}
