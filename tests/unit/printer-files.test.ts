import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openAtomicCsv } from '~/files/atomic-csv.server'
import {
  addressLines,
  formatPostalCode,
  HANDOUT_COLUMNS,
  newPrinterFilePath,
  POSTCARD_COLUMNS,
  PRINTER_FILE_NAME,
  recipientName,
} from '~/notify/printer-files.server'

let directory: string
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'printer-files-'))
})
afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

const postcardRows: string[][] = [
  [
    '1000001',
    '東京都千代田区千代田1-1',
    '見本ビル 3階',
    '見本 花子 様',
    'ABCD-EFGH-JKLM',
    'R-1',
    'portal.example.jp',
  ],
  ['5300001', 'Osaka, Kita-ku', 'Suite "A", 2F', "O'Brien, Pat 様", 'X', 'R-2', 'portal.example.jp'],
  ['0600000', '北海道札幌市\n中央区', 'line\r\nbreak', '', '', 'R-3', ''],
]

describe('openAtomicCsv', () => {
  it('writes UTF-8 with a BOM and CRLF that parses back to the rows written', async () => {
    const path = join(directory, 'postcards.csv')
    const file = openAtomicCsv(path, POSTCARD_COLUMNS)
    for (const row of postcardRows) await file.write(row)
    expect(await file.commit()).toBe(postcardRows.length)

    const bytes = readFileSync(path)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const content = bytes.toString('utf8')
    expect(content.startsWith(`\uFEFF${POSTCARD_COLUMNS.join(',')}\r\n`)).toBe(true)
    // Every record ends in CRLF; the only bare LF is the one inside a quoted field.
    expect(content.endsWith('\r\n')).toBe(true)
    expect(content.match(/(?<!\r)\n/g)).toHaveLength(1)

    const parsed: string[][] = parse(bytes, { bom: true })
    expect(parsed).toEqual([[...POSTCARD_COLUMNS], ...postcardRows])
  })

  it('writes the header even with no rows', async () => {
    const path = join(directory, 'handouts.csv')
    const file = openAtomicCsv(path, HANDOUT_COLUMNS)
    expect(await file.commit()).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(`\uFEFF${HANDOUT_COLUMNS.join(',')}\r\n`)
  })

  it('creates the directory it writes into', async () => {
    const path = join(directory, 'nested', 'deeper', 'handouts.csv')
    const file = openAtomicCsv(path, HANDOUT_COLUMNS)
    await file.commit()
    expect(existsSync(path)).toBe(true)
  })

  it('writes under a temporary name: the file does not exist until committed', async () => {
    const path = join(directory, 'postcards.csv')
    const file = openAtomicCsv(path, POSTCARD_COLUMNS)
    for (const row of postcardRows) await file.write(row)
    await vi.waitFor(() => expect(readdirSync(directory)).toHaveLength(1))
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(directory)).not.toContain('postcards.csv')

    await file.commit()
    expect(readdirSync(directory)).toEqual(['postcards.csv'])
  })

  it('abandon() leaves no file in the directory', async () => {
    const path = join(directory, 'postcards.csv')
    const file = openAtomicCsv(path, POSTCARD_COLUMNS)
    for (const row of postcardRows) await file.write(row)
    // Once the temporary file is on disk.
    await vi.waitFor(() => expect(readdirSync(directory)).toHaveLength(1))
    file.abandon()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(readdirSync(directory)).toEqual([])
  })

  // The stream must not create its file after abandon() has removed it.
  it('abandon() straight after opening leaves no file in the directory', async () => {
    const file = openAtomicCsv(join(directory, 'postcards.csv'), POSTCARD_COLUMNS)
    await file.write(postcardRows[0] as string[])
    file.abandon()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(readdirSync(directory)).toEqual([])
  })
})

describe('who may read a printer file', () => {
  const mode = (path: string) => statSync(path).mode & 0o777

  it('is the owner alone: 0600 while written and once committed, in folders it makes 0700', async () => {
    const path = join(directory, 'made', 'here', 'postcards.csv')
    const file = openAtomicCsv(path, POSTCARD_COLUMNS)
    await file.write(postcardRows[0] as string[])
    const folder = join(directory, 'made', 'here')
    await vi.waitFor(() => expect(readdirSync(folder)).toHaveLength(1))
    expect(mode(join(folder, readdirSync(folder)[0] as string))).toBe(0o600)
    await file.commit()
    expect(mode(path)).toBe(0o600)
    expect(mode(folder)).toBe(0o700)
    expect(mode(join(directory, 'made'))).toBe(0o700)
  })

  it('writes a new file over a dead process’s leftover temporary file, never through it', async () => {
    const path = join(directory, 'handouts.csv')
    const leftover = `${path}.${process.pid}.partial`
    writeFileSync(leftover, 'left by a run that died', { mode: 0o644 })
    const file = openAtomicCsv(path, HANDOUT_COLUMNS)
    await file.commit()
    expect(readFileSync(path, 'utf8')).toBe(`\uFEFF${HANDOUT_COLUMNS.join(',')}\r\n`)
    expect(mode(path)).toBe(0o600)
    expect(existsSync(leftover)).toBe(false)
  })
})

describe('newPrinterFilePath and PRINTER_FILE_NAME', () => {
  it('names files by kind and second, numbering a second file of the same second', () => {
    const now = new Date('2026-12-03T14:16:42.123Z')
    const first = newPrinterFilePath(directory, 'postcards', now)
    expect(first).toBe(join(directory, 'postcards-20261203T141642.csv'))
    writeFileSync(first, '')
    expect(newPrinterFilePath(directory, 'postcards', now)).toBe(
      join(directory, 'postcards-20261203T141642-2.csv'),
    )
    expect(newPrinterFilePath(directory, 'handouts', now)).toBe(
      join(directory, 'handouts-20261203T141642.csv'),
    )
  })

  it('knows the portal’s printer files, finished or being written, and nothing else', () => {
    for (const name of [
      'postcards-20261203T141642.csv',
      'handouts-20261203T141642-2.csv',
      'postcards-20261203T141642.csv.12345.partial',
    ])
      expect(PRINTER_FILE_NAME.test(name), name).toBe(true)
    for (const name of [
      'postcards.csv',
      'postcards-final.csv',
      'ready-20261203T141642.csv',
      'postcards-20261203T141642.csv.bak',
      'postcards-20261203T141642.csv.partial',
      '../postcards-20261203T141642.csv',
    ])
      expect(PRINTER_FILE_NAME.test(name), name).toBe(false)
  })
})

describe('formatPostalCode', () => {
  it('prints the code as a Japanese envelope does', () => {
    expect(formatPostalCode('1000001')).toBe('〒100-0001')
  })
})

describe('addressLines', () => {
  it('puts prefecture, city and street on the first line and the building on the second', () => {
    expect(
      addressLines({
        postalCode: '1000001',
        prefecture: '東京都',
        city: '千代田区',
        addressLine1: '千代田1-1',
        addressLine2: '見本ビル 3階',
      }),
    ).toEqual(['東京都千代田区千代田1-1', '見本ビル 3階'])
  })

  it('skips missing parts and leaves the second line empty without a building', () => {
    expect(
      addressLines({ postalCode: '0600000', prefecture: '北海道', addressLine1: '札幌市中央区1' }),
    ).toEqual(['北海道札幌市中央区1', ''])
    expect(addressLines({ postalCode: '0600000' })).toEqual(['', ''])
  })
})

describe('recipientName', () => {
  it('adds 様 after the full name', () => {
    expect(recipientName({ familyName: '見本', givenName: '花子' })).toBe('見本 花子 様')
  })

  it('adds 様 after the one name known', () => {
    expect(recipientName({ familyName: '見本' })).toBe('見本 様')
    expect(recipientName({ givenName: '花子' })).toBe('花子 様')
  })

  it('is neutral without a name', () => {
    expect(recipientName({})).toBe('ご本人様')
    expect(recipientName({ familyName: '', givenName: '' })).toBe('ご本人様')
  })
})
