import { once } from 'node:events'
import {
  closeSync,
  createWriteStream,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { stringify } from 'csv-stringify'
import type { PostalAddress } from './notice-channel.server'

/**
 * Files for the print vendor (postcards) and for employers (handouts): UTF-8
 * with a BOM, which the vendor's Excel needs to read Japanese; written under a
 * temporary name and renamed into place only when complete, so a file that
 * exists is whole. They carry letter codes, names and addresses: only the
 * portal's user may read them (0600, in folders made 0700), and they are
 * deleted once printed (printer-folder.server.ts).
 */

export const POSTCARD_COLUMNS = [
  'postal_code',
  'address_line1',
  'address_line2',
  'recipient',
  'letter_code',
  'message_reference',
  'portal_address',
] as const

export const HANDOUT_COLUMNS = [
  'id_kind',
  'id',
  'recipient',
  'letter_code',
  'message_reference',
  'portal_address',
] as const

export type PrinterFile = {
  write: (row: string[]) => Promise<void>
  /** Flushes, syncs and renames the file into place; returns the rows written. */
  commit: () => Promise<number>
  /** Removes the unfinished file. */
  abandon: () => void
}

export function openPrinterFile(path: string, columns: readonly string[]): PrinterFile {
  // The umask can only narrow these modes; fchmod below makes the file exactly 0600 whatever it is.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
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

export type PrinterFileKind = 'postcards' | 'handouts'

/** The names the portal gives its own printer files, finished or still being written (`….csv.<pid>.partial`). */
export const PRINTER_FILE_NAME = /^(postcards|handouts)-\d{8}T\d{6}(-\d+)?\.csv(\.(\d{1,10})\.partial)?$/

/**
 * `<directory>/postcards-20261203T141642.csv`, or `…-2.csv`, `…-3.csv` … where
 * an earlier run in the same second left its file: renaming over it would
 * lose the codes it carries.
 */
export function newPrinterFilePath(directory: string, kind: PrinterFileKind, now: Date) {
  const base = join(directory, `${kind}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`)
  let path = `${base}.csv`
  for (let n = 2; existsSync(path); n++) path = `${base}-${n}.csv`
  return path
}

/** `〒100-0001`, as a Japanese envelope shows it. */
export function formatPostalCode(digits: string) {
  return `〒${digits.slice(0, 3)}-${digits.slice(3)}`
}

/** The address as the two lines a Japanese postcard prints: prefecture, city and street; then the building. */
export function addressLines(address: PostalAddress): [string, string] {
  const first = [address.prefecture, address.city, address.addressLine1].filter(Boolean).join('')
  return [first, address.addressLine2 ?? '']
}

/** `見本 花子 様`; without a name on file, the honorific alone would be odd: a neutral addressee. */
export function recipientName({ familyName, givenName }: { familyName?: string; givenName?: string }) {
  const name = [familyName, givenName].filter(Boolean).join(' ')
  return name ? `${name} 様` : 'ご本人様'
}
