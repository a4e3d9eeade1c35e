import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildExposureView, type ExposureView, loadExposureView } from '~/exposure/exposure.server'
import { resources } from '~/i18n/resources.server'
import type { SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { findHuman } from '~db/humans'
import { importFiles } from '~db/import/import-files'
import { createPortalCrypto } from '~db/portal-crypto'
import type { Cohort } from '~db/schema'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { findStoredCards } from '~db/stored-cards'
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

// Everything personal about the linked human, as the export had it.
const JIRO = {
  memberId: 'M00000003',
  buyerId: 'yb_DEMO000001',
  // IDs are stored folded and upper-cased.
  storedBuyerId: 'YB_DEMO000001',
  familyName: '例示',
  givenName: '次郎',
  email: 'jiro.reiji@example.com',
  phone: '080-0000-3003',
  phoneDigits: '08000003003',
  birthDate: '1979-07-07',
  postalCode: '150-0001',
  street: '神宮前9-8-7',
  building: 'ハイツ例示 305号室',
  buyerStreet: '北浜4-5-6',
}

let directory: string
let db: SqliteDatabase
let portal: PortalDatabase
const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

beforeAll(async () => {
  directory = exportDirectory()
  db = openMigratedDatabase(join(directory, 'portal.db'))
  portal = sqlitePortalDatabase(db)
  writeCsv(join(directory, 'members.csv'), [
    MEMBER_COLUMNS,
    member({
      member_id: JIRO.memberId,
      family_name: JIRO.familyName,
      given_name: JIRO.givenName,
      family_name_kana: 'レイジ',
      given_name_kana: 'ジロウ',
      birth_date: JIRO.birthDate,
      gender: '1',
      email: JIRO.email,
      phone: JIRO.phone,
      postal_code: JIRO.postalCode,
      prefecture: '東京都',
      city: '渋谷区',
      address_line1: JIRO.street,
      address_line2: JIRO.building,
    }),
    // A member who gave only a name: nothing else of theirs can have been exposed.
    member({
      member_id: 'M00000099',
      birth_date: '',
      gender: '',
      postal_code: '',
      prefecture: '',
      city: '',
      address_line1: '',
      password_hash: '',
    }),
  ])
  writeCsv(join(directory, 'member_cards.csv'), [
    ['member_id', 'card_last4', 'card_expiry'],
    [JIRO.memberId, '4242', '12/27'],
    [JIRO.memberId, '１８８１', '1/29'],
  ])
  writeCsv(join(directory, 'auction_buyers.csv'), [
    BUYER_COLUMNS,
    // The same phone, written another way: linked to the member as one human.
    [
      JIRO.buyerId,
      JIRO.familyName,
      JIRO.givenName,
      '０８０ ００００ ３００３',
      '541-0041',
      '大阪府',
      '大阪市中央区',
      JIRO.buyerStreet,
      '',
      '2019-05-01',
      '2025-12-24',
    ],
  ])
  writeCsv(join(directory, 'employees.csv'), [
    ['employee_id', 'family_name', 'given_name', 'email', 'phone', 'password_hash'],
    ['E00001', '模擬', '健太', 'kenta.mogi@example.co.jp', '', LEGACY_HASH],
  ])
  writeCsv(join(directory, 'warehouse_staff.csv'), [
    ['staff_id', 'family_name', 'given_name'],
    ['W000001', '標本', '誠'],
  ])
  const { files } = await importFiles({ db, crypto, paths: [directory] })
  expect(files.map((file) => [file.kind, file.rejected])).toEqual([
    ['members', 0],
    ['member_cards', 0],
    ['auction_buyers', 0],
    ['employees', 0],
    ['warehouse_staff', 0],
  ])
})

afterAll(() => {
  db.$client.close()
  rmSync(directory, { recursive: true, force: true })
})

function humanIdOf(cohort: Cohort, kind: Parameters<typeof crypto.index>[0], naturalId: string) {
  return db.$client
    .prepare('select human_id from subjects where cohort = ? and natural_id_index = ?')
    .pluck()
    .get(cohort, crypto.index(kind, naturalId)) as number
}

const viewOf = (humanId: number) => loadExposureView(portal, crypto.keyring, humanId)

describe('findHuman and findStoredCards', () => {
  it('open every record of a linked human', async () => {
    const humanId = humanIdOf('member', 'member-id', JIRO.memberId)
    expect(humanIdOf('auction_buyer', 'buyer-id', JIRO.storedBuyerId)).toBe(humanId)
    const human = await findHuman(portal, crypto.keyring, humanId)
    expect(human?.humanId).toBe(humanId)
    expect(human?.records.map((record) => [record.cohort, record.record.naturalId])).toEqual([
      ['member', JIRO.memberId],
      ['auction_buyer', JIRO.storedBuyerId],
    ])
    expect(human?.records[0]?.record).toMatchObject({ email: JIRO.email, phone: JIRO.phoneDigits })
  })

  it('find no one for an unknown human ID', async () => {
    expect(await findHuman(portal, crypto.keyring, 987_654)).toBeUndefined()
  })

  it('open a member’s cards as stored, and none for a record without', async () => {
    const human = await findHuman(portal, crypto.keyring, humanIdOf('member', 'member-id', JIRO.memberId))
    const [memberRecord, buyerRecord] = human?.records ?? []
    expect(await findStoredCards(portal, crypto.keyring, memberRecord?.subjectId ?? 0)).toEqual([
      { last4: '4242', expiry: '12/27' },
      { last4: '1881', expiry: '01/29' },
    ])
    expect(await findStoredCards(portal, crypto.keyring, buyerRecord?.subjectId ?? 0)).toEqual([])
  })

  it('leave out removed cards only when asked for current ones', async () => {
    const subjectId = (
      await findHuman(portal, crypto.keyring, humanIdOf('member', 'member-id', JIRO.memberId))
    )?.records[0]?.subjectId
    db.$client
      .prepare('update stored_cards set removed_at = 1 where id = (select min(id) from stored_cards)')
      .run()
    try {
      expect(await findStoredCards(portal, crypto.keyring, subjectId ?? 0)).toHaveLength(2)
      expect(await findStoredCards(portal, crypto.keyring, subjectId ?? 0, { currentOnly: true })).toEqual([
        { last4: '1881', expiry: '01/29' },
      ])
    } finally {
      db.$client.prepare('update stored_cards set removed_at = null').run()
    }
  })
})

describe('the exposure view of a member who also bought at the auction store', () => {
  let view: ExposureView
  beforeAll(async () => {
    view = await viewOf(humanIdOf('member', 'member-id', JIRO.memberId))
  })

  it('shows both records together, member first, each with its period and masked ID', () => {
    expect(view).toMatchObject({ hasAnyExposure: true, isMember: true, linked: true })
    expect(
      view.records.map(({ cohort, cohortKey, period, maskedId }) => ({
        cohort,
        cohortKey,
        period,
        maskedId,
      })),
    ).toEqual([
      {
        cohort: 'member',
        cohortKey: 'cohorts.member',
        period: { from: '2007-12-04', to: '2026-02-10' },
        maskedId: '…0003',
      },
      {
        cohort: 'auction_buyer',
        cohortKey: 'cohorts.auction_buyer',
        period: { from: '2018-11-19', to: '2026-02-10' },
        maskedId: '…0001',
      },
    ])
  })

  it('lists exactly the categories each record held, masked', () => {
    const [memberRecord, buyerRecord] = view.records
    expect(
      memberRecord?.items.map(({ category, maskedValue, valueKey }) => [category, maskedValue, valueKey]),
    ).toEqual([
      ['name', '例*** 次***', 'values.plain'],
      ['birth_date', '1979', 'values.birthYear'],
      ['gender', null, 'values.notShown'],
      ['email', 'j***@example.com', 'values.plain'],
      ['phone', '***-****-3003', 'values.plain'],
      ['address', '東京都渋谷区', 'values.plain'],
      ['card', '**** 4242, 12/27; **** 1881, 01/29', 'values.plain'],
      ['password', null, 'values.hashedPassword'],
    ])
    expect(memberRecord?.items.find((item) => item.category === 'card')?.maskedValues).toEqual([
      '**** 4242, 12/27',
      '**** 1881, 01/29',
    ])
    expect(buyerRecord?.items.map(({ category, maskedValue }) => [category, maskedValue])).toEqual([
      ['name', '例*** 次***'],
      ['phone', '***-****-3003'],
      ['address', '大阪府大阪市中央区'],
      ['buyer_id', '…0001'],
    ])
    for (const item of [...(memberRecord?.items ?? []), ...(buyerRecord?.items ?? [])]) {
      expect(item.adviceKey).toBe(`advice.${item.category}`)
      expect(item.labelKey).toBe(`categories.${item.category}`)
    }
  })

  it('sums up every category once, and the two most urgent things to do first', () => {
    expect(view.summary).toEqual({
      labelKeys: [
        'categories.name',
        'categories.birth_date',
        'categories.gender',
        'categories.email',
        'categories.phone',
        'categories.address',
        'categories.card',
        'categories.password',
        'categories.buyer_id',
      ],
      firstStepKeys: ['firstSteps.password', 'firstSteps.card'],
    })
  })

  it('holds no raw personal value anywhere', () => {
    const json = JSON.stringify(view)
    const raw = [
      JIRO.memberId,
      JIRO.buyerId,
      JIRO.storedBuyerId,
      'DEMO',
      JIRO.familyName,
      JIRO.givenName,
      'レイジ',
      'ジロウ',
      JIRO.email,
      'jiro.reiji',
      JIRO.phone,
      JIRO.phoneDigits,
      '0000',
      JIRO.birthDate,
      '07-07',
      '1500001',
      '150-0001',
      '5410041',
      JIRO.street,
      '神宮前',
      JIRO.building,
      'ハイツ',
      JIRO.buyerStreet,
      '北浜',
      '$2',
    ]
    for (const value of raw) expect(json, value).not.toContain(value)
  })

  it('is what buildExposureView makes of the human and their cards', async () => {
    const human = await findHuman(portal, crypto.keyring, humanIdOf('member', 'member-id', JIRO.memberId))
    const memberSubject = human?.records[0]?.subjectId ?? 0
    const cards = new Map([[memberSubject, await findStoredCards(portal, crypto.keyring, memberSubject)]])
    expect(buildExposureView(human, cards)).toEqual(view)
  })
})

describe('other people', () => {
  it('a member who gave only a name has only their name exposed', async () => {
    const view = await viewOf(humanIdOf('member', 'member-id', 'M00000099'))
    expect(view).toMatchObject({ hasAnyExposure: true, isMember: true, linked: false })
    expect(view.records.map((record) => record.items.map((item) => item.category))).toEqual([['name']])
  })

  it('an employee has no period, and a password that is never shown', async () => {
    const view = await viewOf(humanIdOf('employee', 'employee-id', 'E00001'))
    expect(view).toMatchObject({ hasAnyExposure: true, isMember: false, linked: false })
    expect(view.records).toEqual([
      expect.objectContaining({ cohort: 'employee', period: null, maskedId: '…001' }),
    ])
    expect(view.records[0]?.items.map(({ category, maskedValue }) => [category, maskedValue])).toEqual([
      ['name', '模*** 健***'],
      ['email', 'k***@example.co.jp'],
      ['password', null],
    ])
    expect(JSON.stringify(view)).not.toContain('kenta.mogi')
  })

  it('the first things to do follow what was exposed, and gender alone asks for nothing', async () => {
    expect((await viewOf(humanIdOf('employee', 'employee-id', 'E00001'))).summary.firstStepKeys).toEqual([
      'firstSteps.password',
      'firstSteps.scams',
    ])
    expect((await viewOf(humanIdOf('member', 'member-id', 'M00000099'))).summary).toEqual({
      labelKeys: ['categories.name'],
      firstStepKeys: ['firstSteps.scams'],
    })
    const genderOnly = buildExposureView({
      humanId: 2,
      records: [
        {
          subjectId: 2,
          cohort: 'member',
          language: 'ja',
          categories: ['gender'],
          record: { naturalId: 'M2' },
        },
      ],
    })
    expect(genderOnly.summary).toEqual({ labelKeys: ['categories.gender'], firstStepKeys: [] })
  })

  it('warehouse staff see their staff ID masked', async () => {
    const view = await viewOf(humanIdOf('warehouse_staff', 'staff-id', 'W000001'))
    expect(view.records[0]?.items.map(({ category, maskedValue }) => [category, maskedValue])).toEqual([
      ['name', '標*** ***'],
      ['staff_id', '…001'],
    ])
    expect(JSON.stringify(view)).not.toContain('W000001')
  })

  it('someone with no record is told there is nothing exposed', async () => {
    expect(await viewOf(987_654)).toEqual({
      records: [],
      summary: { labelKeys: [], firstStepKeys: [] },
      hasAnyExposure: false,
      isMember: false,
      linked: false,
    })
    expect(buildExposureView(undefined)).toEqual(await viewOf(987_654))
  })

  it('records with no exposed category are left out', () => {
    const view = buildExposureView({
      humanId: 1,
      records: [
        {
          subjectId: 1,
          cohort: 'member',
          language: 'ja',
          categories: [],
          record: { naturalId: 'M1' },
        },
      ],
    })
    expect(view).toEqual({
      records: [],
      summary: { labelKeys: [], firstStepKeys: [] },
      hasAnyExposure: false,
      isMember: true,
      linked: false,
    })
  })
})

describe('every key the view names has a translation', () => {
  const lookup = (tree: unknown, key: string) =>
    key
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree)

  it('in Japanese and English', async () => {
    const views = [
      await viewOf(humanIdOf('member', 'member-id', JIRO.memberId)),
      await viewOf(humanIdOf('employee', 'employee-id', 'E00001')),
      await viewOf(humanIdOf('warehouse_staff', 'staff-id', 'W000001')),
    ]
    for (const language of ['ja', 'en'] as const) {
      const namespace = resources[language].exposure
      for (const key of views.flatMap((view) => [...view.summary.labelKeys, ...view.summary.firstStepKeys])) {
        expect(typeof lookup(namespace, key), `${language}: ${key}`).toBe('string')
      }
      for (const record of views.flatMap((view) => view.records)) {
        expect(typeof lookup(namespace, `${record.cohortKey}.name`)).toBe('string')
        expect(typeof lookup(namespace, `${record.cohortKey}.idLabel`)).toBe('string')
        if (record.period) {
          expect(typeof lookup(namespace, `${record.cohortKey}.periodLabel`)).toBe('string')
          expect(typeof lookup(namespace, `${record.cohortKey}.periodValue`)).toBe('string')
        }
        for (const item of record.items) {
          for (const key of [
            item.labelKey,
            item.valueKey,
            `${item.adviceKey}.meaning`,
            `${item.adviceKey}.action`,
          ]) {
            expect(typeof lookup(namespace, key), `${language}: ${key}`).toBe('string')
          }
        }
      }
    }
  })
})
