import { once } from 'node:events'
import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { stringify } from 'csv-stringify'
import type { PostalAddress } from './notice-channel.server'

/**
 * Files for the print vendor (postcards) and for employers (handouts): UTF-8
 * with a BOM, which the vendor's Excel needs to read Japanese; written under a
 * temporary name and renamed into place only when complete, so a file that
 * exists is whole.
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
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.partial`
  // Opened here, not by the stream in the background, so abandon() always finds the file to remove.
  const output = createWriteStream(temporary, { fd: openSync(temporary, 'w') })
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
