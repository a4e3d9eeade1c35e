import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BlindIndexKind } from '~db/blind-index'
import { openDatabase, type SqliteDatabase } from '~db/client'
import { EXPORTS } from '~db/generate/columns'
import type { FileReport } from '~db/import/import-files'
import { importFiles } from '~db/import/import-files'
import {
  fold,
  formatIsoDate,
  normaliseCardExpiry,
  normaliseCardLast4,
  normaliseEmail,
  normaliseGender,
  normaliseIdentifier,
  normaliseKana,
  normalisePhone,
  normalisePostalCode,
  normaliseText,
  parseLegacyDateTime,
} from '~db/normalise'
import { createPortalCrypto } from '~db/portal-crypto'
import {
  type ExportRecord,
  expectedImport,
  findNeedles,
  type GeneratedExport,
  type GeneratedKind,
  generateMessyExport,
  ID_COLUMN,
  IMPORT_KIND,
  type ImportExpectation,
} from '../support/generated-export'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'

/**
 * Nothing personal is at rest in plaintext: after importing a messy generated export, the raw bytes
 * of the SQLite file, its WAL and its shared-memory index hold none of the imported personal values,
 * in any form the importer could have stored them in (as written, trimmed, folded, normalised,
 * re-formatted). SQLite stores text as UTF-8, so every value is searched as UTF-8 bytes.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

/**
 * Needles shorter than this are not searched: they would turn up by chance. The files are about a
 * megabyte, nearly all of it ciphertext, IVs and blind indexes, that is random bytes: a given 3-byte
 * string (a one-kanji given name such as 誠) is in there about once in 16 runs, a 4-byte one (a room
 * number such as 1001 from an address line) about once in 4,000, a 5-byte one about once in a
 * million. The shortest personal values that matter are searched inside longer forms instead (gender
 * codes and card digits, below); a lone room number or one-kanji name identifies no one.
 */
const MIN_NEEDLE_BYTES = 5

type Form = [form: string, value: string | undefined]

const DASHES = /[-‐‑‒–—―−－ーｰ─━]/g

/** A phone number's canonical digits written with hyphens, for every split Japanese numbers use. */
function hyphenatedPhones(digits: string): string[] {
  if (digits.length === 11) return [`${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`]
  // Ten digits: an area code of 2 to 5 digits (with its 0), the local exchange up to digit 6, then 4.
  return [2, 3, 4, 5].map((area) => `${digits.slice(0, area)}-${digits.slice(area, 6)}-${digits.slice(6)}`)
}

function dateForms(raw: string): Form[] {
  const parsed = parseLegacyDateTime(raw)
  if (!parsed) return []
  const iso = formatIsoDate(parsed.date)
  const { year, month, day } = parsed.date
  return [
    ['ISO date', iso],
    ['date without separators', iso.replaceAll('-', '')],
    ['date with slashes', iso.replaceAll('-', '/')],
    ['unpadded date with slashes', `${year}/${month}/${day}`],
  ]
}

/** Every form a value of each kind could have been stored in. */
const FORMS = {
  id: (raw: string): Form[] => [
    ['as written', raw],
    ['trimmed', raw.trim()],
    ['folded', fold(raw)],
    ['normalised', normaliseIdentifier(raw)],
  ],
  text: (raw: string): Form[] => [
    ['as written', raw],
    ['normalised text', normaliseText(raw)],
    ['folded', fold(normaliseText(raw))],
  ],
  kana: (raw: string): Form[] => {
    const katakana = normaliseKana(raw)
    return [
      ['as written', raw],
      ['folded', fold(raw)],
      ['full-width katakana', katakana],
      [
        'hiragana',
        katakana?.replace(/[\u30a1-\u30f6]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0x60)),
      ],
    ]
  },
  date: (raw: string): Form[] => [['as written', raw], ['folded', fold(raw)], ...dateForms(raw)],
  email: (raw: string): Form[] => [
    ['as written', raw],
    ['trimmed', raw.trim()],
    ['folded', fold(raw)],
    ['lower-cased', raw.trim().toLowerCase()],
    ['normalised', normaliseEmail(raw)],
  ],
  phone: (raw: string): Form[] => {
    const digits = normalisePhone(raw)
    const hyphenated = digits ? hyphenatedPhones(digits) : []
    return [
      ['as written', raw],
      ['folded', fold(raw)],
      ['folded, one kind of hyphen', fold(raw).replace(DASHES, '-')],
      ['canonical digits', digits],
      ['international', digits && `+81${digits.slice(1)}`],
      ...hyphenated.map((form): Form => ['hyphenated', form]),
      ...hyphenated.map((form): Form => ['international hyphenated', `+81-${form.slice(1)}`]),
      ...hyphenated.map((form): Form => ['spaced', form.replaceAll('-', ' ')]),
    ]
  },
  postal: (raw: string): Form[] => {
    const digits = normalisePostalCode(raw)
    const hyphenated = digits && `${digits.slice(0, 3)}-${digits.slice(3)}`
    return [
      ['as written', raw],
      ['folded', fold(raw)],
      ['7 digits', digits],
      ['hyphenated', hyphenated],
      ['with 〒', hyphenated && `〒${hyphenated}`],
      ['7 digits with 〒', digits && `〒${digits}`],
    ]
  },
  line1: (raw: string): Form[] => [
    ...FORMS.text(raw),
    ['folded, one kind of hyphen', fold(normaliseText(raw)).replace(DASHES, '-')],
  ],
  line2: (raw: string): Form[] => [
    ...FORMS.text(raw),
    // Each physical line of a value that had a line break in it, as a part of the address on its own.
    ...raw
      .split(/\r?\n/)
      .flatMap((part): Form[] => (part === raw ? [] : [['one of its lines', part.trim()]])),
  ],
  hash: (raw: string): Form[] => [
    ['as written', raw],
    ['trimmed', raw.trim()],
    // Salt and digest without the `$2b$04$` prefix.
    ['without its prefix', raw.trim().slice(7)],
  ],
  /**
   * The gender code (one digit) is too short to search on its own: any digit is everywhere in a
   * binary file. It is searched in the one place it would show as itself, the record's JSON.
   */
  gender: (raw: string): Form[] => {
    const code = normaliseGender(raw)
    return [['in the record JSON', code === undefined ? undefined : `"gender":${code}`]]
  },
} satisfies Record<string, (raw: string) => Form[]>

type ValueKind = keyof typeof FORMS

const NAMES = { family_name: 'text', given_name: 'text' } as const
const ADDRESS = {
  postal_code: 'postal',
  prefecture: 'text',
  city: 'text',
  address_line1: 'line1',
  address_line2: 'line2',
} as const

/**
 * The personal columns of each file and their kind. Left out: registered_at and the purchase dates
 * (when someone used the shop, not who they are; they are stored as numbers to place the record in
 * its cohort), legacy_flag (not personal, and ignored), and the card columns, handled below.
 */
const PERSONAL_COLUMNS: Record<GeneratedKind, Record<string, ValueKind>> = {
  members: {
    member_id: 'id',
    ...NAMES,
    family_name_kana: 'kana',
    given_name_kana: 'kana',
    birth_date: 'date',
    gender: 'gender',
    email: 'email',
    phone: 'phone',
    ...ADDRESS,
    password_hash: 'hash',
  },
  cards: { member_id: 'id' },
  buyers: { buyer_id: 'id', ...NAMES, phone: 'phone', ...ADDRESS },
  employees: { employee_id: 'id', ...NAMES, email: 'email', phone: 'phone', password_hash: 'hash' },
  staff: { staff_id: 'id', ...NAMES },
}

/**
 * A card's last four digits (4 ASCII digits) and expiry (MM/YY) are too short and too alike to find
 * meaningfully on their own: four digits are below MIN_NEEDLE_BYTES, and a few dozen expiries cover
 * every card. They are searched as they would sit together in plaintext: the card JSON that is
 * sealed, and the pair the card index is computed over.
 */
function cardForms(row: ExportRecord): Form[] {
  const last4 = normaliseCardLast4(row.fields.card_last4 ?? '')
  const expiry = normaliseCardExpiry(row.fields.card_expiry ?? '')
  if (!last4 || !expiry) return []
  return [
    ['card JSON', JSON.stringify({ last4, expiry })],
    ['card last 4 in JSON', `"last4":"${last4}"`],
    ['card last 4 and expiry', `${last4}|${expiry}`],
    ['card last 4 and expiry', `${last4} ${expiry}`],
  ]
}

type Label = { value: string; form: string; source: string; sources: Set<string> }

/**
 * Every personal value of every row of every file, once per distinct byte string, and which
 * columns gave at least one value long enough to search for.
 */
function personalNeedles(generated: GeneratedExport) {
  const needles = new Map<string, Label>()
  const columns = new Set<string>()
  const add = (column: string, form: string, value: string | undefined, source: string) => {
    if (value === undefined || Buffer.byteLength(value, 'utf8') < MIN_NEEDLE_BYTES) return
    columns.add(column)
    const known = needles.get(value)
    if (known) known.sources.add(source)
    else needles.set(value, { value, form, source, sources: new Set([source]) })
  }
  for (const [kind, records] of Object.entries(generated.records) as [GeneratedKind, ExportRecord[]][]) {
    const file = EXPORTS[kind].fileName
    for (const row of records) {
      const source = `${file} record ${row.record}`
      for (const [column, valueKind] of Object.entries(PERSONAL_COLUMNS[kind])) {
        const raw = row.fields[column]
        if (raw === undefined) throw new Error(`${file} has no column ${column}`)
        if (raw.trim() === '') continue
        for (const [form, value] of FORMS[valueKind](raw))
          add(`${file} ${column}`, `${column} (${valueKind}, ${form})`, value, source)
      }
      if (kind === 'cards')
        for (const [form, value] of cardForms(row)) add(`${file} card`, form, value, source)
    }
  }
  const list = [...needles.values()].map((label) => ({ bytes: Buffer.from(label.value, 'utf8'), label }))
  return { needles: list, columns }
}

function readFiles(paths: string[]) {
  return paths
    .filter((path) => existsSync(path))
    .map((path) => ({ file: basename(path), bytes: readFileSync(path) }))
}

/** Readable findings: which value, in which form, from which row, found where. */
function readable(hits: ReturnType<typeof findNeedles<Label>>) {
  return hits.map(
    ({ file, offset, label }) =>
      `${JSON.stringify(label.value)} — ${label.form} of ${label.source}` +
      `${label.sources.size > 1 ? ` (and ${label.sources.size - 1} more rows)` : ''} — found in ${file} at byte ${offset}`,
  )
}

const INDEX_KIND: Record<GeneratedKind, BlindIndexKind | undefined> = {
  members: 'member-id',
  cards: undefined,
  buyers: 'buyer-id',
  employees: 'employee-id',
  staff: 'staff-id',
}

/** The blind index of each record's own ID, as the importer must have stored it for lookups. */
function naturalIdIndexes(generated: GeneratedExport, expected: Record<GeneratedKind, ImportExpectation>) {
  return (Object.keys(INDEX_KIND) as GeneratedKind[]).flatMap((kind) => {
    const indexKind = INDEX_KIND[kind]
    if (!indexKind) return []
    const rejected = new Set(expected[kind].rejects.map((reject) => reject.record))
    return generated.records[kind].map((row) => {
      const id = normaliseIdentifier(row.fields[ID_COLUMN[kind]] ?? '') as string
      return {
        bytes: crypto.index(indexKind, id),
        label: { id: `${kind} ${id}`, imported: !rejected.has(row.record) },
      }
    })
  })
}

let generated: GeneratedExport
let expected: Record<GeneratedKind, ImportExpectation>
let dbPath: string
let db: SqliteDatabase | undefined
let reports: FileReport[]

beforeAll(async () => {
  generated = await generateMessyExport({ members: 300, seed: 'at-rest', demo: true })
  expected = expectedImport(generated)
  dbPath = join(mkdtempSync(join(tmpdir(), 'portal-at-rest-db-')), 'portal.db')
  db = openMigratedDatabase(dbPath)
  reports = (await importFiles({ db, crypto, paths: [generated.dir] })).files
})

afterAll(() => {
  db?.$client.close()
  rmSync(dirname(dbPath), { recursive: true, force: true })
  rmSync(generated.dir, { recursive: true, force: true })
})

describe('an imported messy export, at rest', () => {
  it('was imported in full: every good row in, every deliberately bad row out', () => {
    expect(generated.result.rows.members).toBeGreaterThan(300) // the demo personas came first
    for (const kind of Object.keys(IMPORT_KIND) as GeneratedKind[]) {
      const report = reports.find((file) => file.kind === IMPORT_KIND[kind])
      expect(report, kind).toMatchObject({
        records: generated.records[kind].length,
        inserted: expected[kind].distinct,
        rejected: expected[kind].rejects.length,
      })
    }
    const count = (table: string) => db?.$client.prepare(`select count(*) from ${table}`).pluck().get()
    expect(count('subjects')).toBe(
      expected.members.distinct +
        expected.buyers.distinct +
        expected.employees.distinct +
        expected.staff.distinct,
    )
    expect(count('member_accounts')).toBe(expected.members.distinct)
    expect(count('stored_cards')).toBe(expected.cards.distinct)
  })

  it('holds no personal value in plaintext in the database file, its WAL or its shared memory', () => {
    const walPath = `${dbPath}-wal`
    // Still open: the WAL has not been checkpointed away, and holds the import's pages.
    expect(existsSync(walPath)).toBe(true)
    expect(statSync(walPath).size).toBeGreaterThan(0)
    const files = readFiles([dbPath, walPath, `${dbPath}-shm`])
    expect(files.map((file) => file.file)).toEqual(['portal.db', 'portal.db-wal', 'portal.db-shm'])

    const { needles, columns } = personalNeedles(generated)
    // Every personal column of every file, and the cards, gave values to search for.
    expect([...columns].sort()).toEqual(
      [
        'member_cards.csv card',
        ...(Object.keys(PERSONAL_COLUMNS) as GeneratedKind[]).flatMap((kind) =>
          Object.keys(PERSONAL_COLUMNS[kind]).map((column) => `${EXPORTS[kind].fileName} ${column}`),
        ),
      ].sort(),
    )
    expect(needles.length).toBeGreaterThan(5_000)
    const found = readable(findNeedles(files, needles))
    expect({ found: found.length, first: found.slice(0, 40) }).toEqual({ found: 0, first: [] })

    // Not vacuous: the same search over the same bytes finds what must be there.
    const markers = findNeedles(files, [{ bytes: Buffer.from('subjects', 'utf8'), label: 'subjects' }])
    expect(markers.length).toBeGreaterThan(0)
    const indexes = findNeedles(files, naturalIdIndexes(generated, expected))
    const indexed = new Set(indexes.map((hit) => hit.label.id))
    const imported = naturalIdIndexes(generated, expected).filter((needle) => needle.label.imported)
    expect(imported.length).toBeGreaterThan(300)
    expect(
      imported.filter((needle) => !indexed.has(needle.label.id)).map((needle) => needle.label.id),
    ).toEqual([])
  })

  it('holds none after closing either, when the WAL has been checkpointed into the database file', () => {
    db?.$client.close()
    db = undefined
    expect(existsSync(`${dbPath}-wal`)).toBe(false)
    const files = readFiles([dbPath])
    const found = readable(findNeedles(files, personalNeedles(generated).needles))
    expect({ found: found.length, first: found.slice(0, 40) }).toEqual({ found: 0, first: [] })
    expect(
      findNeedles(files, [{ bytes: Buffer.from('subjects', 'utf8'), label: 'subjects' }]).length,
    ).toBeGreaterThan(0)
    const indexes = naturalIdIndexes(generated, expected)
    const indexed = new Set(findNeedles(files, indexes).map((hit) => hit.label.id))
    // Every imported record is in the file (so the search saw it), and no rejected one is.
    expect(indexes.filter((needle) => needle.label.imported !== indexed.has(needle.label.id))).toEqual([])
  })

  it('would have noticed a personal value written in plaintext to the WAL', () => {
    const control = openDatabase(dbPath)
    try {
      const member = generated.records.members.find(
        ({ fields }) => normaliseEmail(fields.email ?? '') && normalisePhone(fields.phone ?? ''),
      ) as ExportRecord
      const email = normaliseEmail(member.fields.email ?? '') as string
      const phone = normalisePhone(member.fields.phone ?? '') as string
      control.$client
        .prepare('insert into portal_meta (key, value) values (?, ?)')
        .run('plaintext-control', `${email} ${phone}`)
      const hits = findNeedles(readFiles([`${dbPath}-wal`]), personalNeedles(generated).needles)
      expect(hits.map((hit) => [hit.file, hit.label.value])).toEqual(
        expect.arrayContaining([
          ['portal.db-wal', email],
          ['portal.db-wal', phone],
        ]),
      )
    } finally {
      control.$client.close()
    }
  })
})
