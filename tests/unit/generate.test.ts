import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseGenerateArgs } from '~/cli/generate-args'
import {
  BUYER_COLUMNS,
  CARD_COLUMNS,
  EMPLOYEE_COLUMNS,
  MEMBER_COLUMNS,
  STAFF_COLUMNS,
} from '~db/generate/columns'
import { csvLine } from '~db/generate/csv-sink'
import {
  DEMO_HANAKO,
  DEMO_JIRO,
  DEMO_KENTA,
  DEMO_MAKOTO,
  DEMO_MISAKI,
  DEMO_PEOPLE,
  DEMO_TARO,
} from '~db/generate/demo-people'
import { type GenerateOptions, generateExports } from '~db/generate/generate'
import { legacyPasswordOf } from '~db/generate/legacy-passwords'
import { FAMILY_NAMES, GIVEN_NAMES } from '~db/generate/names'
import { PREFECTURES } from '~db/generate/prefectures'
import { portalCommand } from '../support/portal-command'

type Row = Record<string, string>

interface Export {
  text: string
  bytes: Buffer
  header: string[]
  rows: Row[]
}

const FILES = [
  'members.csv',
  'member_cards.csv',
  'auction_buyers.csv',
  'employees.csv',
  'warehouse_staff.csv',
]

const COLUMNS: Record<string, string[]> = {
  'members.csv': Object.keys(MEMBER_COLUMNS),
  'member_cards.csv': Object.keys(CARD_COLUMNS),
  'auction_buyers.csv': Object.keys(BUYER_COLUMNS),
  'employees.csv': Object.keys(EMPLOYEE_COLUMNS),
  'warehouse_staff.csv': Object.keys(STAFF_COLUMNS),
}

function readExport(dir: string, file: string, encoding: 'utf8' | 'cp932' = 'utf8'): Export {
  const bytes = readFileSync(join(dir, file))
  const text = encoding === 'cp932' ? iconv.decode(bytes, 'cp932') : bytes.toString('utf8')
  const records: string[][] = parse(text, { bom: true })
  const [header = [], ...data] = records
  const rows = data.map((values) => Object.fromEntries(header.map((name, i) => [name, values[i] ?? ''])))
  return { text, bytes, header, rows }
}

type Exports = Record<string, Export>

async function generate(
  options: Partial<GenerateOptions> & { members: number },
): Promise<Exports & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'generate-'))
  await generateExports({
    outDir: dir,
    buyers: Math.floor(options.members / 4),
    employees: 5,
    warehouse: 5,
    seed: '1',
    encoding: 'utf8',
    messy: false,
    demo: false,
    ...options,
  })
  const exports: Exports = {}
  for (const file of FILES) exports[file] = readExport(dir, file, options.encoding)
  return Object.assign(exports, { dir })
}

function rowsOf(exports: Exports, file: string): Row[] {
  return (exports[file] as Export).rows
}

/** Canonical dates and times sort as text. */
function inRange(value: string | undefined, from: string, to: string): boolean {
  return value !== undefined && value >= from && value <= to
}

const nfkc = (value: string) => value.normalize('NFKC').trim()

/** What an importer would do to a phone: digits only, +81 back to the trunk 0. */
function phoneDigits(value: string): string | undefined {
  let digits = nfkc(value).replace(/[\s\-ー−‐－]/g, '')
  if (digits.startsWith('+81')) digits = `0${digits.slice(3)}`
  return /^0\d{9,10}$/.test(digits) ? digits : undefined
}

/** YYYY-MM-DD of any legacy date form, or undefined when it is not a real date. */
function isoDate(value: string): string | undefined {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(nfkc(value))
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return date.toISOString().slice(0, 10)
}

const normalise: Record<string, (value: string) => string | undefined> = {
  member_id: nfkc,
  registered_at: isoDate,
  birth_date: isoDate,
  family_name_kana: nfkc,
  given_name_kana: nfkc,
  email: (value) => nfkc(value).toLowerCase(),
  phone: (value) => (value === '' ? '' : phoneDigits(value)),
  postal_code: (value) => nfkc(value).replace(/[〒\s\-ー−‐－]/g, ''),
  address_line1: (value) => nfkc(value).replace(/[ー−‐－]/g, '-'),
  gender: (value) => (['', '0', '1', '2', '9'].includes(value) ? value : undefined),
}

/** The columns whose messy value does not mean the same as the clean one. */
function differences(messy: Row, clean: Row): string[] {
  return Object.entries(normalise)
    .filter(([column, read]) => read(messy[column] ?? '') !== read(clean[column] ?? ''))
    .map(([column]) => column)
}

describe('generateExports', () => {
  let plain: Exports & { dir: string }
  let again: Exports & { dir: string }
  let otherSeed: Exports & { dir: string }

  beforeAll(async () => {
    plain = await generate({ members: 400, demo: true })
    again = await generate({ members: 400, demo: true })
    otherSeed = await generate({ members: 400, demo: true, seed: '2' })
  })

  it('writes byte-identical files for the same seed and different ones for another', () => {
    for (const file of FILES)
      expect((again[file] as Export).bytes.equals((plain[file] as Export).bytes)).toBe(true)
    expect((otherSeed['members.csv'] as Export).text).not.toBe((plain['members.csv'] as Export).text)
    expect((otherSeed['auction_buyers.csv'] as Export).text).not.toBe(
      (plain['auction_buyers.csv'] as Export).text,
    )
  })

  it('writes exactly the five files with the columns of domain.md, LF and no BOM', () => {
    expect(readdirSync(plain.dir).sort()).toEqual([...FILES].sort())
    for (const file of FILES) {
      const { header, text } = plain[file] as Export
      expect(header).toEqual(COLUMNS[file])
      expect(text.startsWith('\uFEFF')).toBe(false)
      expect(text).not.toContain('\r')
    }
  })

  it('writes the requested counts, demo personas on top, and 0–3 cards per existing member', () => {
    expect(rowsOf(plain, 'members.csv')).toHaveLength(400 + 3)
    expect(rowsOf(plain, 'auction_buyers.csv')).toHaveLength(100 + 2)
    expect(rowsOf(plain, 'employees.csv')).toHaveLength(5 + 1)
    expect(rowsOf(plain, 'warehouse_staff.csv')).toHaveLength(5 + 1)
    const members = new Set(rowsOf(plain, 'members.csv').map((row) => row.member_id))
    expect(members.size).toBe(403)
    const perMember = new Map<string, number>()
    for (const card of rowsOf(plain, 'member_cards.csv')) {
      expect(members.has(card.member_id as string)).toBe(true)
      expect(card.card_last4).toMatch(/^\d{4}$/)
      expect(card.card_expiry).toMatch(/^(0[1-9]|1[0-2])\/\d{2}$/)
      perMember.set(card.member_id as string, (perMember.get(card.member_id as string) ?? 0) + 1)
    }
    expect(Math.max(...perMember.values())).toBeLessThanOrEqual(3)
    expect(perMember.size).toBeLessThan(members.size)
  })

  it('gives unique IDs of the documented shapes', () => {
    const shapes: [string, string, RegExp][] = [
      ['members.csv', 'member_id', /^M\d{8}$/],
      ['auction_buyers.csv', 'buyer_id', /^yb_[0-9A-Za-z]{10}$/],
      ['employees.csv', 'employee_id', /^E\d{5}$/],
      ['warehouse_staff.csv', 'staff_id', /^W\d{6}$/],
    ]
    for (const [file, column, shape] of shapes) {
      const ids = rowsOf(plain, file).map((row) => row[column] as string)
      for (const id of ids) expect(id).toMatch(shape)
      expect(new Set(ids).size).toBe(ids.length)
    }
  })

  it('uses names with their readings from the list, and genders that fit the given name', () => {
    const family = new Map(FAMILY_NAMES.map((name) => [name.kanji, name.kana]))
    const given = new Map(GIVEN_NAMES.map((name) => [name.kanji, name]))
    const generated = rowsOf(plain, 'members.csv').slice(3)
    for (const row of generated) {
      expect(family.get(row.family_name as string)).toBe(row.family_name_kana)
      const name = given.get(row.given_name as string)
      expect(name?.kana).toBe(row.given_name_kana)
      if (name?.gender === 'm') expect(row.gender).not.toBe('2')
      if (name?.gender === 'f') expect(row.gender).not.toBe('1')
      expect(['', '0', '1', '2', '9']).toContain(row.gender)
    }
    expect(new Set(generated.map((row) => row.gender))).toEqual(new Set(['', '0', '1', '2', '9']))
  })

  it('writes plausible addresses, phones, e-mails and dates in canonical form', () => {
    const prefectures = new Map(PREFECTURES.map((prefecture) => [prefecture.name, prefecture]))
    const members = rowsOf(plain, 'members.csv').slice(3)
    for (const row of members) {
      const prefecture = prefectures.get(row.prefecture as string)
      expect(prefecture?.cities).toContain(row.city)
      const head = Number((row.postal_code as string).slice(0, 3))
      expect(prefecture?.postalRanges.some(([from, to]) => head >= from && head <= to)).toBe(true)
      expect(row.postal_code).toMatch(/^\d{3}-\d{4}$/)
      expect(row.address_line1).toMatch(/^\D*\d+(丁目\d+-\d+|-\d+-\d+)$/)
      if (row.phone)
        expect(row.phone).toMatch(
          /^(0[789]0-\d{4}-\d{4}|0\d-\d{4}-\d{4}|0\d{2}-\d{3}-\d{4}|0\d{3}-\d{2}-\d{4})$/,
        )
      if (row.email) expect(row.email).toMatch(/^[a-z0-9._]+@example\.(com|org|jp|co\.jp|ne\.jp)$/)
      expect(row.registered_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      expect(inRange(row.registered_at, '2007-12-04', '2026-02-10 23:59:59')).toBe(true)
      expect(inRange(row.birth_date, '1930-01-01', '2008-12-31')).toBe(true)
    }
    expect(members.some((row) => row.email === '')).toBe(true)
    expect(members.some((row) => row.address_line2 === '')).toBe(true)
    expect(members.some((row) => /号室$/.test(row.address_line2 as string))).toBe(true)
    for (const row of rowsOf(plain, 'auction_buyers.csv')) {
      expect(inRange(row.first_purchase_at, '2018-11-19', row.last_purchase_at as string)).toBe(true)
      expect(inRange(row.last_purchase_at, '2018-11-19', '2026-02-10 23:59:59')).toBe(true)
    }
  })

  it('makes about a fifth of the buyers members too: same name, same phone', () => {
    const byPhone = new Map(rowsOf(plain, 'members.csv').map((row) => [row.phone, row]))
    const buyers = rowsOf(plain, 'auction_buyers.csv').slice(2)
    const shared = buyers.filter((buyer) => byPhone.has(buyer.phone))
    expect(shared.length).toBeGreaterThan(buyers.length * 0.1)
    expect(shared.length).toBeLessThan(buyers.length * 0.35)
    for (const buyer of shared) {
      const member = byPhone.get(buyer.phone) as Row
      expect([buyer.family_name, buyer.given_name]).toEqual([member.family_name, member.given_name])
    }
    const phones = rowsOf(plain, 'members.csv').flatMap((row) => (row.phone ? [row.phone] : []))
    expect(new Set(phones).size).toBe(phones.length)
  })

  it('stores bcrypt hashes of the passwords legacyPasswordOf names, in all three variants', () => {
    const members = rowsOf(plain, 'members.csv')
    for (const row of [...members.slice(0, 8), ...rowsOf(plain, 'employees.csv').slice(0, 3)]) {
      const id = (row.member_id ?? row.employee_id) as string
      expect(row.password_hash).toMatch(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/)
      expect(bcrypt.compareSync(legacyPasswordOf(id), row.password_hash as string)).toBe(true)
      expect(bcrypt.compareSync(`${legacyPasswordOf(id)}x`, row.password_hash as string)).toBe(false)
    }
    expect(new Set(members.map((row) => row.password_hash?.slice(0, 4)))).toEqual(
      new Set(['$2a$', '$2b$', '$2y$']),
    )
  })

  it('starts every file with the demo personas, the same for every seed', () => {
    const first = (file: string, count: number) => rowsOf(plain, file).slice(0, count)
    expect(first('members.csv', 3)).toEqual(rowsOf(otherSeed, 'members.csv').slice(0, 3))
    expect(first('members.csv', 3).map((row) => row.member_id)).toEqual([
      'M00000001',
      'M00000002',
      'M00000003',
    ])
    const [hanako, taro, jiro] = first('members.csv', 3) as [Row, Row, Row]
    expect(hanako).toMatchObject({
      family_name: DEMO_HANAKO.familyName,
      given_name_kana: DEMO_HANAKO.givenNameKana,
      email: DEMO_HANAKO.email,
      phone: DEMO_HANAKO.phone,
      birth_date: DEMO_HANAKO.birthDate,
      postal_code: DEMO_HANAKO.address?.postalCode,
    })
    expect(
      rowsOf(plain, 'member_cards.csv').filter((card) => card.member_id === DEMO_HANAKO.memberId),
    ).toHaveLength(2)
    expect(taro).toMatchObject({ email: '', phone: DEMO_TARO.phone })
    const [jiroBuyer, misaki] = first('auction_buyers.csv', 2) as [Row, Row]
    expect(jiroBuyer).toMatchObject({
      buyer_id: DEMO_JIRO.buyerId,
      phone: jiro.phone,
      family_name: jiro.family_name,
    })
    expect(misaki.buyer_id).toBe(DEMO_MISAKI.buyerId)
    expect(rowsOf(plain, 'members.csv').some((row) => row.phone === misaki.phone)).toBe(false)
    expect(first('employees.csv', 1)[0]).toMatchObject({
      employee_id: DEMO_KENTA.employeeId,
      email: DEMO_KENTA.email,
    })
    expect(first('warehouse_staff.csv', 1)[0]).toEqual({
      staff_id: DEMO_MAKOTO.staffId,
      family_name: DEMO_MAKOTO.familyName,
      given_name: DEMO_MAKOTO.givenName,
    })
    for (const row of [hanako, taro, jiro]) {
      const person = DEMO_PEOPLE.find((demo) => demo.memberId === row.member_id)
      expect(legacyPasswordOf(row.member_id as string)).toBe(person?.legacyPassword)
      expect(bcrypt.compareSync(person?.legacyPassword as string, row.password_hash as string)).toBe(true)
    }
  })
})

describe('generateExports --messy', () => {
  const members = 2000
  let clean: Exports
  let messy: Exports
  const text = (file: string) => (messy[file] as Export).text
  const all = () => FILES.map((file) => messy[file] as Export)

  beforeAll(async () => {
    clean = await generate({ members, seed: 'messy', demo: true })
    messy = await generate({ members, seed: 'messy', demo: true, messy: true })
  })

  it('writes legacy value forms: full width, hyphen kinds, +81, 〒, slashes, half-width kana, shouted e-mails', () => {
    const phones = rowsOf(messy, 'members.csv').map((row) => row.phone as string)
    for (const hyphen of ['ー', '−', '‐', '－'])
      expect(phones.some((phone) => phone.includes(hyphen))).toBe(true)
    expect(phones.some((phone) => /^\+81/.test(phone))).toBe(true)
    expect(phones.some((phone) => /\d \d/.test(phone))).toBe(true)
    expect(phones.some((phone) => /[０-９]/.test(phone))).toBe(true)
    expect(text('members.csv')).toMatch(/Ｍ[０-９]{8}/)
    expect(rowsOf(messy, 'members.csv').some((row) => row.postal_code?.startsWith('〒'))).toBe(true)
    expect(rowsOf(messy, 'members.csv').some((row) => /^\d{7}$/.test(row.postal_code as string))).toBe(true)
    expect(
      rowsOf(messy, 'members.csv').some((row) => /^\d{4}\/\d{1,2}\/\d{1,2}/.test(row.birth_date as string)),
    ).toBe(true)
    expect(rowsOf(messy, 'members.csv').some((row) => /[ｦ-ﾟ]/.test(row.family_name_kana as string))).toBe(true)
    const emails = rowsOf(messy, 'members.csv').map((row) => row.email as string)
    expect(emails.some((email) => email !== email.trim())).toBe(true)
    expect(emails.some((email) => /[A-Z]/.test(email))).toBe(true)
  })

  it('lays files out like a legacy export: BOM, CRLF, shuffled and unknown columns, quoted line breaks', () => {
    expect(all().some((file) => file.text.startsWith('\uFEFF'))).toBe(true)
    expect(all().some((file) => !file.text.startsWith('\uFEFF'))).toBe(true)
    expect(all().some((file) => file.text.includes('\r\n'))).toBe(true)
    expect(all().some((file) => file.header.includes('legacy_flag'))).toBe(true)
    for (const file of FILES) {
      const known = (messy[file] as Export).header.filter((name) => name !== 'legacy_flag')
      expect([...known].sort()).toEqual([...(COLUMNS[file] as string[])].sort())
    }
    expect(
      FILES.some((file) => (messy[file] as Export).header.join() !== (COLUMNS[file] as string[]).join()),
    ).toBe(true)
    const line2 = rowsOf(messy, 'members.csv').map((row) => row.address_line2 as string)
    expect(line2.some((value) => value.includes('\n'))).toBe(true)
    expect(line2.some((value) => value.includes(','))).toBe(true)
    expect(line2.some((value) => value.includes('"'))).toBe(true)
  })

  it('keeps the same people, readable after normalising, except about one row in a thousand', () => {
    const messyMembers = rowsOf(messy, 'members.csv')
    const cleanMembers = rowsOf(clean, 'members.csv')
    expect(messyMembers).toHaveLength(cleanMembers.length)
    const broken = messyMembers
      .map((row, i) => differences(row, cleanMembers[i] as Row))
      .filter((diff) => diff.length)
    expect(broken).toHaveLength(members / 1000)
    for (const diff of broken) {
      expect(diff).toHaveLength(1)
      expect(['birth_date', 'registered_at', 'gender', 'phone']).toContain(diff[0])
    }
    for (const row of messyMembers.slice(0, 3)) {
      expect(bcrypt.compareSync(legacyPasswordOf(row.member_id as string), row.password_hash as string)).toBe(
        true,
      )
    }
    const fullWidth = messyMembers.find((row) => /^Ｍ/.test(row.member_id as string)) as Row
    expect(
      bcrypt.compareSync(legacyPasswordOf(fullWidth.member_id as string), fullWidth.password_hash as string),
    ).toBe(true)
  })

  it('adds cards of members who do not exist', () => {
    const ids = new Set(rowsOf(clean, 'members.csv').map((row) => row.member_id))
    const orphans = rowsOf(messy, 'member_cards.csv').filter(
      (card) => !ids.has(nfkc(card.member_id as string)),
    )
    expect(orphans).toHaveLength(members / 1000)
    expect(rowsOf(messy, 'member_cards.csv')).toHaveLength(
      rowsOf(clean, 'member_cards.csv').length + orphans.length,
    )
  })

  it('keeps the demo personas clean', () => {
    const known = (row: Row) =>
      Object.fromEntries(Object.entries(row).filter(([name]) => name !== 'legacy_flag'))
    const demoRows = {
      'members.csv': 3,
      'member_cards.csv': 3,
      'auction_buyers.csv': 2,
      'employees.csv': 1,
      'warehouse_staff.csv': 1,
    }
    for (const [file, count] of Object.entries(demoRows)) {
      expect(rowsOf(messy, file).slice(0, count).map(known)).toEqual(
        rowsOf(clean, file).slice(0, count).map(known),
      )
    }
  })
})

describe('generateExports --encoding cp932', () => {
  it('writes the same rows as UTF-8, in CP932 without a BOM', async () => {
    const utf8 = await generate({ members: 300, demo: true })
    const cp932 = await generate({ members: 300, demo: true, encoding: 'cp932' })
    for (const file of FILES) {
      const encoded = cp932[file] as Export
      // member_cards.csv is all ASCII, the same bytes in both encodings
      if (file !== 'member_cards.csv') expect(encoded.bytes.equals((utf8[file] as Export).bytes)).toBe(false)
      expect(encoded.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false)
      expect(encoded.text).toBe((utf8[file] as Export).text)
    }
  })

  it('writes messy values CP932 can hold: nothing is lost to a replacement character', async () => {
    const cp932 = await generate({ members: 500, messy: true, encoding: 'cp932' })
    for (const file of FILES) {
      const { bytes, text } = cp932[file] as Export
      expect(text).not.toContain('?')
      expect(iconv.encode(text, 'cp932').equals(bytes)).toBe(true)
    }
    expect(rowsOf(cp932, 'members.csv')).toHaveLength(500)
  })
})

describe('csvLine', () => {
  it('round-trips any values through an RFC 4180 parser', () => {
    const value = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'ー', '１', '〒') })
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), (values) => {
        expect(parse(`${csvLine(values)}\n`)).toEqual([values])
      }),
    )
  })
})

describe('the generate command', () => {
  it('fills in counts from the members', () => {
    expect(parseGenerateArgs(['--out', 'x'])).toEqual({
      ok: true,
      args: {
        outDir: 'x',
        members: 1000,
        buyers: 250,
        employees: 5,
        warehouse: 5,
        seed: '1',
        encoding: 'utf8',
        messy: false,
        demo: false,
      },
    })
    const parsed = parseGenerateArgs([
      '--out',
      'x',
      '--members',
      '100000',
      '--buyers',
      '7',
      '--messy',
      '--encoding',
      'cp932',
    ])
    expect(parsed).toMatchObject({
      ok: true,
      args: { members: 100000, buyers: 7, employees: 50, warehouse: 100, messy: true },
    })
  })

  it('answers --help without needing other arguments', () => {
    expect(parseGenerateArgs(['--help'])).toEqual({ ok: true, help: true })
  })

  it('refuses bad arguments with a one-line reason', () => {
    for (const argv of [
      [],
      ['--out', 'x', '--members', 'many'],
      ['--out', 'x', '--members', '-3'],
      ['--out', 'x', '--encoding', 'latin1'],
      ['--out', 'x', '--colour'],
      ['--out', 'x', '--members', '99999999'],
    ]) {
      const parsed = parseGenerateArgs(argv)
      expect(parsed.ok).toBe(false)
      if (!parsed.ok) expect(parsed.error).toMatch(/^[^\n]+$/)
    }
  })

  it('exits with 2 and one line on stderr for bad arguments', () => {
    const { command, args, env } = portalCommand('app/cli/generate.ts')
    const result = spawnSync(command, [...args, '--out', tmpdir(), '--members', 'lots'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toEqual([
      'generate: --members must be a whole number (see --help)',
    ])
  })
})
