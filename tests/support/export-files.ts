import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import iconv from 'iconv-lite'
import { REQUIRED_COLUMNS } from '~db/import/export-kinds'

/** A throwaway folder to write hand-made export files into. */
export function exportDirectory() {
  return mkdtempSync(join(tmpdir(), 'portal-export-'))
}

type CsvOptions = { bom?: boolean; crlf?: boolean; encoding?: 'utf8' | 'cp932' }

/** Writes rows as RFC 4180 CSV, quoting only where needed. */
export function writeCsv(
  path: string,
  rows: string[][],
  { bom = false, crlf = false, encoding = 'utf8' }: CsvOptions = {},
) {
  const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)
  const text = rows.map((row) => row.map(quote).join(',')).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n')
  const bytes = encoding === 'cp932' ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8')
  writeFileSync(path, bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes)
  return path
}

export const MEMBER_COLUMNS = [...REQUIRED_COLUMNS.members]

export const BUYER_COLUMNS = [...REQUIRED_COLUMNS.auction_buyers]

export const LEGACY_PASSWORD = 'legacy-password'
export const LEGACY_HASH = bcrypt.hashSync(LEGACY_PASSWORD, 4)

export type MemberFields = Partial<Record<(typeof MEMBER_COLUMNS)[number], string>>

export function member(fields: MemberFields): string[] {
  const defaults: MemberFields = {
    registered_at: '2015-03-04 10:00:00',
    family_name: '見本',
    given_name: '花子',
    family_name_kana: 'ミホン',
    given_name_kana: 'ハナコ',
    birth_date: '1980-05-06',
    gender: '2',
    email: '',
    phone: '',
    postal_code: '150-0001',
    prefecture: '東京都',
    city: '渋谷区',
    address_line1: '1-2-3',
    address_line2: '',
    password_hash: LEGACY_HASH,
  }
  const merged = { ...defaults, ...fields }
  return MEMBER_COLUMNS.map((column) => merged[column] ?? '')
}
