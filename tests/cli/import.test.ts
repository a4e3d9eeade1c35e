import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import { categoriesOf } from '~db/exposure-categories'
import { importFiles } from '~db/import/import-files'
import { UnreadableFileError } from '~db/import/source'
import { listOpenActions } from '~db/member-required-actions'
import { createPortalCrypto } from '~db/portal-crypto'
import { unsealJson } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { type SubjectRecord, subjectRecordContext } from '~db/subject-record'
import {
  BUYER_COLUMNS,
  exportDirectory,
  LEGACY_HASH,
  MEMBER_COLUMNS,
  member,
  writeCsv,
} from '../support/export-files'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'

let db: SqliteDatabase
let directory: string
const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

beforeEach(() => {
  directory = exportDirectory()
  db = openMigratedDatabase(join(directory, 'portal.db'))
})

afterEach(() => {
  db.$client.close()
})

const run = (...files: string[]) => importFiles({ db, crypto, paths: files })

function memberRecord(memberId: string) {
  const naturalIdIndex = crypto.index('member-id', memberId)
  const row = db.$client
    .prepare(
      "select id, record_sealed, exposed_categories from subjects where cohort = 'member' and natural_id_index = ?",
    )
    .get(naturalIdIndex) as { id: number; record_sealed: Buffer; exposed_categories: number } | undefined
  if (!row) return undefined
  return {
    record: unsealJson<SubjectRecord>({
      keyring: crypto.keyring,
      context: subjectRecordContext(row.id),
      sealed: row.record_sealed,
    }),
    categories: categoriesOf(row.exposed_categories),
  }
}

const count = (sql: string) => db.$client.prepare(sql).pluck().get() as number

describe('reading the legacy export', () => {
  it('normalises messy values and keeps e-mail as given for display', async () => {
    const file = writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({
        member_id: 'ｍ０００１',
        registered_at: '２０１５/3/4',
        family_name_kana: 'ﾐﾎﾝ',
        given_name_kana: 'はなこ',
        email: '  Hanako.Mihon@Example.CO.JP ',
        phone: '＋81 90ー1234ー5678',
        postal_code: '〒１５０－０００１',
        birth_date: '1980/5/6',
      }),
    ])
    const { files } = await run(file)
    expect(files[0]).toMatchObject({ kind: 'members', records: 1, inserted: 1, rejected: 0 })
    const stored = memberRecord('M0001')
    expect(stored?.record).toMatchObject({
      naturalId: 'M0001',
      familyNameKana: 'ミホン',
      givenNameKana: 'ハナコ',
      email: 'Hanako.Mihon@Example.CO.JP',
      phone: '09012345678',
      postalCode: '1500001',
      birthDate: '1980-05-06',
    })
  })

  it('reads CP932, a UTF-8 BOM and CRLF line ends alike', async () => {
    const rows = [MEMBER_COLUMNS, member({ member_id: 'M1', family_name: '髙橋', email: 'a@example.jp' })]
    const cp932 = writeCsv(join(directory, 'members_cp932.csv'), rows, { encoding: 'cp932', crlf: true })
    expect((await run(cp932)).files[0]).toMatchObject({ inserted: 1, rejected: 0 })
    expect(memberRecord('M1')?.record.familyName).toBe('髙橋')
    const bom = writeCsv(join(directory, 'members_bom.csv'), rows, { bom: true, crlf: true })
    expect((await run(bom)).files[0]).toMatchObject({ inserted: 0, unchanged: 1, rejected: 0 })
  })

  it('reads quoted commas, quotes and newlines, reordered and unknown columns', async () => {
    const columns = ['legacy_flag', ...MEMBER_COLUMNS].reverse()
    const values = [
      'x',
      ...member({ member_id: 'M2', address_line2: 'ハイツ "見本", 2F\n301号室' }),
    ].reverse()
    const file = writeCsv(join(directory, 'members.csv'), [columns, values])
    expect((await run(file)).files[0]).toMatchObject({ inserted: 1, rejected: 0 })
    // A line break inside an address is legacy noise: it becomes a space.
    expect(memberRecord('M2')?.record.addressLine2).toBe('ハイツ "見本", 2F 301号室')
  })

  it('recognises a file by its header when its name says nothing', async () => {
    const file = writeCsv(join(directory, 'export-0042.csv'), [MEMBER_COLUMNS, member({ member_id: 'M3' })])
    expect((await run(file)).files[0]).toMatchObject({ kind: 'members', inserted: 1 })
  })
})

describe('rejected records', () => {
  it('lists each with its record number, physical line, field and reason, and imports the rest', async () => {
    const file = writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'OK1', address_line2: 'two\nlines' }),
      member({ member_id: 'BAD1', birth_date: '2019-02-30' }),
      member({ member_id: 'BAD2', gender: '7' }),
      member({ member_id: 'BAD3', phone: '12345' }),
      member({ member_id: 'BAD4', email: 'not-an-address' }),
      member({ member_id: 'BAD5', postal_code: '15-0001' }),
      member({ member_id: 'BAD6', family_name_kana: '見本' }),
      member({ member_id: 'BAD7', password_hash: 'plaintext' }),
      member({ member_id: 'BAD8', registered_at: '2026-03-01' }),
      member({ member_id: '' }),
      ['only', 'three', 'fields'],
      member({ member_id: 'OK2' }),
    ])
    const [report] = (await run(file)).files
    expect(report).toMatchObject({ records: 12, inserted: 2, rejected: 10 })
    expect(report?.errors).toEqual([
      { record: 2, line: 4, field: 'birth_date', reason: expect.stringContaining('not a real date') },
      { record: 3, line: 5, field: 'gender', reason: expect.stringContaining('ISO/IEC 5218') },
      { record: 4, line: 6, field: 'phone', reason: 'not a Japanese phone number' },
      { record: 5, line: 7, field: 'email', reason: 'not an e-mail address' },
      { record: 6, line: 8, field: 'postal_code', reason: 'not a 7-digit postal code' },
      { record: 7, line: 9, field: 'family_name_kana', reason: 'not kana' },
      { record: 8, line: 10, field: 'password_hash', reason: expect.stringContaining('bcrypt') },
      {
        record: 9,
        line: 11,
        field: 'registered_at',
        reason: expect.stringContaining('between 2007-12-04 and 2026-02-10'),
      },
      { record: 10, line: 12, field: 'member_id', reason: 'required value is empty' },
      { record: 11, line: 13, field: '', reason: 'wrong number of fields' },
    ])
  })

  it('rejects a card whose member is unknown, and a buyer whose purchases are out of order', async () => {
    writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    writeCsv(join(directory, 'member_cards.csv'), [
      ['member_id', 'card_last4', 'card_expiry'],
      ['M1', '1234', '12/27'],
      ['M404', '9999', '01/28'],
      ['M1', '12', '01/28'],
      ['M1', '5678', '13/28'],
    ])
    writeCsv(join(directory, 'auction_buyers.csv'), [
      BUYER_COLUMNS,
      ['yb_1', '見本', '次郎', '', '', '', '', '', '', '2020-01-01', '2019-01-01'],
      ['yb_2', '見本', '三郎', '', '', '', '', '', '', '2017-01-01', '2019-01-01'],
    ])
    const { files } = await run(directory)
    const cards = files.find((file) => file.kind === 'member_cards')
    expect(cards).toMatchObject({ records: 4, inserted: 1, rejected: 3 })
    expect(cards?.errors.map(({ record, field, reason }) => [record, field, reason])).toEqual([
      [2, 'member_id', 'no member with this member_id'],
      [3, 'card_last4', 'not four digits'],
      [4, 'card_expiry', 'not an expiry MM/YY'],
    ])
    const buyers = files.find((file) => file.kind === 'auction_buyers')
    expect(buyers?.errors.map(({ field }) => field)).toEqual(['last_purchase_at', 'first_purchase_at'])
  })

  it('caps the listed errors at 1,000 a file but counts them all', async () => {
    const rows = [
      MEMBER_COLUMNS,
      ...Array.from({ length: 1005 }, (_, i) => member({ member_id: `X${i}`, gender: '5' })),
    ]
    const [report] = (await run(writeCsv(join(directory, 'members.csv'), rows))).files
    expect(report?.rejected).toBe(1005)
    expect(report?.errors).toHaveLength(1000)
  })
})

describe('files that cannot be imported', () => {
  it('stops on a missing required column before writing anything of any file', async () => {
    const good = writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    const bad = writeCsv(join(directory, 'employees.csv'), [
      ['employee_id', 'family_name'],
      ['E1', '見本'],
    ])
    await expect(run(good, bad)).rejects.toThrow(
      new UnreadableFileError(
        'employees.csv: missing required column given_name, email, phone, password_hash',
      ),
    )
    expect(count('select count(*) from subjects')).toBe(0)
  })

  it('stops on a file it does not recognise', async () => {
    const unknown = writeCsv(join(directory, 'orders.csv'), [
      ['order_id', 'total'],
      ['1', '100'],
    ])
    await expect(run(unknown)).rejects.toThrow(/orders.csv: not a recognised export/)
  })
})

describe('importing again', () => {
  it('inserts nothing twice, updates what changed, and lets the later of two equal IDs win', async () => {
    const path = join(directory, 'members.csv')
    writeCsv(path, [MEMBER_COLUMNS, member({ member_id: 'M1', city: '渋谷区' }), member({ member_id: 'M2' })])
    expect((await run(path)).files[0]).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 })
    expect((await run(path)).files[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 })
    writeCsv(path, [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', city: '目黒区' }),
      member({ member_id: 'M2' }),
      member({ member_id: 'M2' }),
      member({ member_id: 'M3', city: '港区' }),
      member({ member_id: 'M3', city: '品川区' }),
    ])
    expect((await run(path)).files[0]).toMatchObject({ inserted: 1, updated: 2, unchanged: 2 })
    expect(count('select count(*) from subjects')).toBe(3)
    expect(memberRecord('M1')?.record.city).toBe('目黒区')
    expect(memberRecord('M3')?.record.city).toBe('品川区')
  })

  it('lets the later row win in a first import too, where indexes are built after the rows', async () => {
    const path = join(directory, 'members.csv')
    writeCsv(path, [
      MEMBER_COLUMNS,
      member({ member_id: 'M1' }),
      member({ member_id: 'M2', city: '港区' }),
      member({ member_id: 'M1' }),
      member({ member_id: 'M2', city: '品川区' }),
      member({ member_id: 'M2', city: '品川区' }),
    ])
    expect((await run(path)).files[0]).toMatchObject({ records: 5, inserted: 2, updated: 1, unchanged: 2 })
    expect(count('select count(*) from subjects')).toBe(2)
    expect(count('select count(*) from member_accounts')).toBe(2)
    expect(memberRecord('M2')?.record.city).toBe('品川区')
    const indexes = db.$client
      .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'subjects'")
      .pluck()
      .all()
    expect(indexes).toEqual(
      expect.arrayContaining([
        'subjects_natural_id',
        'subjects_email',
        'subjects_phone',
        'subjects_kana_birth',
        'subjects_human',
        'subjects_cohort_human',
      ]),
    )
  })

  it('keeps cards once, and marks the card category exposed', async () => {
    writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    writeCsv(join(directory, 'member_cards.csv'), [
      ['member_id', 'card_last4', 'card_expiry'],
      ['M1', '1234', '12/27'],
      ['M1', '5678', '01/29'],
    ])
    await run(directory)
    const again = await run(directory)
    expect(again.files.map((file) => [file.kind, file.inserted, file.unchanged])).toEqual([
      ['members', 0, 1],
      ['member_cards', 0, 2],
    ])
    expect(count('select count(*) from stored_cards')).toBe(2)
    expect(memberRecord('M1')?.categories).toContain('card')
  })
})

describe('exposed categories', () => {
  it('are only those the record held a value for', async () => {
    writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'FULL', email: 'full@example.jp', phone: '090-1111-2222' }),
      member({
        member_id: 'SPARSE',
        birth_date: '',
        gender: '',
        postal_code: '',
        prefecture: '',
        city: '',
        address_line1: '',
        password_hash: '',
      }),
    ])
    await run(directory)
    expect(memberRecord('FULL')?.categories).toEqual([
      'name',
      'birth_date',
      'gender',
      'email',
      'phone',
      'address',
      'password',
    ])
    expect(memberRecord('SPARSE')?.categories).toEqual(['name'])
  })

  it('keeps the exposed password hash sealed in the member record, and gives the member an account', async () => {
    writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    await run(directory)
    const sealed = db.$client.prepare('select record_sealed from subjects').pluck().get() as Buffer
    expect(sealed.includes(Buffer.from(LEGACY_HASH))).toBe(false)
    expect(memberRecord('M1')?.record.legacyPasswordHash).toBe(LEGACY_HASH)
    const account = db.$client.prepare('select subject_id from member_accounts').pluck().get() as number
    expect(await listOpenActions(sqlitePortalDatabase(db), account)).toEqual([
      'reset_password',
      'reconfirm_details',
    ])
  })

  it('never brings the exposed password back to a member who already set a new one', async () => {
    writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    await run(directory)
    db.$client.prepare("update member_accounts set password_hash = '$argon2id$stand-in'").run()
    writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', given_name: '改名' }),
    ])
    const [report] = (await run(directory)).files
    expect(report?.updated).toBe(1)
    expect(memberRecord('M1')?.record.givenName).toBe('改名')
    expect(memberRecord('M1')?.record.legacyPasswordHash).toBeUndefined()
    expect(memberRecord('M1')?.categories).toContain('password')
  })
})

describe('linking records of one human', () => {
  it('links an auction buyer to the member with the same phone number, however it was written', async () => {
    writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', phone: '090-1234-5678' }),
      member({ member_id: 'M2', phone: '080-0000-0000' }),
    ])
    writeCsv(join(directory, 'auction_buyers.csv'), [
      BUYER_COLUMNS,
      ['yb_1', '見本', '花子', '０９０ １２３４ ５６７８', '', '', '', '', '', '2019-01-01', '2020-01-01'],
      ['yb_2', '他人', '太郎', '070-9999-9999', '', '', '', '', '', '2019-01-01', '2020-01-01'],
    ])
    await run(join(directory, 'auction_buyers.csv'), join(directory, 'members.csv'))
    const humans = db.$client
      .prepare(
        'select cohort, human_id = (select id from subjects s where s.id = subjects.human_id) as ok, human_id from subjects order by id',
      )
      .all() as { cohort: string; human_id: number }[]
    const [m1, m2, buyer1, buyer2] = humans
    expect(buyer1?.human_id).toBe(m1?.human_id)
    expect(buyer2?.human_id).not.toBe(m1?.human_id)
    expect(buyer2?.human_id).not.toBe(m2?.human_id)
  })
})
