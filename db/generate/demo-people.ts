/**
 * Fixed demo personas, written at the start of the files with --demo whatever the seed, for the README,
 * manual testing and tests. Names are clearly fictional (見本 = sample, 試験 = test, 例示 = example,
 * 架空 = fictional, 模擬 = mock, 標本 = specimen); phones use 0000 as the middle group, which the
 * generator never produces, and e-mails use documentation domains.
 *
 * | key     | cohorts                 | IDs                       | what it shows                          |
 * |---------|-------------------------|---------------------------|----------------------------------------|
 * | hanako  | member                  | M00000001                 | e-mail, two cards (one expired)        |
 * | taro    | member                  | M00000002                 | no e-mail (postcard person), landline  |
 * | jiro    | member, auction buyer   | M00000003, yb_DEMO000001  | one human in two cohorts, shared phone |
 * | misaki  | auction buyer           | yb_DEMO000002             | buyer only                             |
 * | kenta   | employee                | E00001                    | employee with e-mail and password      |
 * | makoto  | warehouse staff         | W000001                   | staff ID and name only                 |
 */

import type { Cohort } from '../schema'

export interface DemoCard {
  last4: string
  /** MM/YY */
  expiry: string
}

export interface DemoAddress {
  postalCode: string
  prefecture: string
  city: string
  addressLine1: string
  addressLine2: string
}

export interface DemoPerson {
  key: string
  cohorts: readonly Cohort[]
  /** Every ID this human has, across cohorts. */
  ids: readonly string[]
  memberId?: string
  buyerId?: string
  employeeId?: string
  staffId?: string
  familyName: string
  givenName: string
  familyNameKana: string
  givenNameKana: string
  email?: string
  phone?: string
  /** YYYY-MM-DD */
  birthDate?: string
  /** ISO/IEC 5218 */
  gender?: '0' | '1' | '2' | '9'
  address?: DemoAddress
  /** YYYY-MM-DD HH:MM:SS, JST */
  registeredAt?: string
  firstPurchaseAt?: string
  lastPurchaseAt?: string
  /** The password the legacy hash was made from (members and employees). */
  legacyPassword?: string
  cards?: readonly DemoCard[]
}

export const DEMO_HANAKO: DemoPerson = {
  key: 'hanako',
  cohorts: ['member'],
  ids: ['M00000001'],
  memberId: 'M00000001',
  familyName: '見本',
  givenName: '花子',
  familyNameKana: 'ミホン',
  givenNameKana: 'ハナコ',
  email: 'hanako.mihon@example.jp',
  phone: '090-0000-0001',
  birthDate: '1985-04-01',
  gender: '2',
  address: {
    postalCode: '160-0023',
    prefecture: '東京都',
    city: '新宿区',
    addressLine1: '見本町1丁目2-3',
    addressLine2: 'サンプルハイツ 101号室',
  },
  registeredAt: '2012-05-20 10:15:00',
  legacyPassword: 'MihonHanako2012',
  cards: [
    { last4: '4242', expiry: '08/27' },
    { last4: '1881', expiry: '03/24' },
  ],
}

export const DEMO_TARO: DemoPerson = {
  key: 'taro',
  cohorts: ['member'],
  ids: ['M00000002'],
  memberId: 'M00000002',
  familyName: '試験',
  givenName: '太郎',
  familyNameKana: 'シケン',
  givenNameKana: 'タロウ',
  phone: '06-0000-0002',
  birthDate: '1948-11-03',
  gender: '1',
  address: {
    postalCode: '530-0001',
    prefecture: '大阪府',
    city: '大阪市北区',
    addressLine1: '見本町2-5-8',
    addressLine2: '',
  },
  registeredAt: '2009-02-14 09:30:00',
  legacyPassword: 'shiken1948',
  cards: [],
}

export const DEMO_JIRO: DemoPerson = {
  key: 'jiro',
  cohorts: ['member', 'auction_buyer'],
  ids: ['M00000003', 'yb_DEMO000001'],
  memberId: 'M00000003',
  buyerId: 'yb_DEMO000001',
  familyName: '例示',
  givenName: '次郎',
  familyNameKana: 'レイジ',
  givenNameKana: 'ジロウ',
  email: 'jiro.reiji@example.com',
  phone: '080-0000-0003',
  birthDate: '1979-07-07',
  gender: '1',
  address: {
    postalCode: '460-0008',
    prefecture: '愛知県',
    city: '名古屋市中区',
    addressLine1: '見本町3-1-1',
    addressLine2: '',
  },
  registeredAt: '2015-08-01 20:00:00',
  firstPurchaseAt: '2019-03-10 14:22:05',
  lastPurchaseAt: '2025-12-24 21:05:40',
  legacyPassword: 'reiji0707',
  cards: [{ last4: '5555', expiry: '12/28' }],
}

export const DEMO_MISAKI: DemoPerson = {
  key: 'misaki',
  cohorts: ['auction_buyer'],
  ids: ['yb_DEMO000002'],
  buyerId: 'yb_DEMO000002',
  familyName: '架空',
  givenName: '美咲',
  familyNameKana: 'カクウ',
  givenNameKana: 'ミサキ',
  phone: '070-0000-0004',
  address: {
    postalCode: '812-0011',
    prefecture: '福岡県',
    city: '福岡市博多区',
    addressLine1: '見本町4-10-2',
    addressLine2: 'コーポ見本 205',
  },
  firstPurchaseAt: '2020-06-01 11:11:11',
  lastPurchaseAt: '2024-02-29 08:00:00',
}

export const DEMO_KENTA: DemoPerson = {
  key: 'kenta',
  cohorts: ['employee'],
  ids: ['E00001'],
  employeeId: 'E00001',
  familyName: '模擬',
  givenName: '健太',
  familyNameKana: 'モギ',
  givenNameKana: 'ケンタ',
  email: 'kenta.mogi@example.co.jp',
  phone: '090-0000-0005',
  legacyPassword: 'MogiKenta#2020',
}

export const DEMO_MAKOTO: DemoPerson = {
  key: 'makoto',
  cohorts: ['warehouse_staff'],
  ids: ['W000001'],
  staffId: 'W000001',
  familyName: '標本',
  givenName: '誠',
  familyNameKana: 'ヒョウホン',
  givenNameKana: 'マコト',
}

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  DEMO_HANAKO,
  DEMO_TARO,
  DEMO_JIRO,
  DEMO_MISAKI,
  DEMO_KENTA,
  DEMO_MAKOTO,
]
