import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { PostalAddress } from './notice-channel.server'

/**
 * Files for the print vendor (postcards) and for employers (handouts), written
 * by ~/files/atomic-csv.server: their columns, their names, and how their
 * rows print. They carry letter codes, names and addresses, and are deleted
 * once printed (printer-folder.server.ts).
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
