import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { japanToday } from '~/accounts/calendar'
import {
  PREFECTURES,
  postalCodeMatchesPrefecture,
  prefectureOf,
  prefecturesForPostalCode,
} from '~/accounts/prefectures'
import { changedFields } from '~/accounts/registration-changes'
import {
  GENDER_CHOICES,
  type RegistrationDetailsForm,
  type RegistrationField,
} from '~/accounts/registration-fields'
import {
  DETAILS_ERRORS,
  fieldErrorsOf,
  registrationDetailsSchema,
  toFullWidthKatakana,
} from '~/accounts/registration-form'
import { detailsFromRecord } from '~/accounts/registration-prefill'
import { GENDER_CODES } from '~db/normalise'
import type { SubjectRecord } from '~db/subject-record'

const today = { year: 2026, month: 3, day: 15 }
const schema = registrationDetailsSchema({ today })

const valid: RegistrationDetailsForm = {
  familyName: '見本',
  givenName: '花子',
  familyNameKana: 'ミホン',
  givenNameKana: 'ハナコ',
  birthDate: '1985-04-01',
  gender: '2',
  email: 'Hanako.Mihon@Example.jp',
  phone: '090-1234-5678',
  postalCode: '160-0023',
  prefecture: '東京都',
  city: '新宿区',
  addressLine1: '西新宿1-2-3',
  addressLine2: '',
}

function parse(patch: Partial<Record<RegistrationField, string | undefined>> = {}) {
  return schema.safeParse({ ...valid, ...patch })
}

function errorsOf(patch: Partial<Record<RegistrationField, string | undefined>>) {
  const result = parse(patch)
  if (result.success) throw new Error(`accepted ${JSON.stringify(patch)}`)
  return fieldErrorsOf(result.error)
}

function accepted(patch: Partial<Record<RegistrationField, string | undefined>>) {
  const result = parse(patch)
  if (!result.success) throw new Error(`refused ${JSON.stringify(fieldErrorsOf(result.error))}`)
  return result.data
}

describe('the registration details schema', () => {
  it('gives the details in their stored forms', () => {
    expect(accepted({})).toEqual({
      familyName: '見本',
      givenName: '花子',
      familyNameKana: 'ミホン',
      givenNameKana: 'ハナコ',
      birthDate: '1985-04-01',
      gender: 2,
      email: 'hanako.mihon@example.jp',
      phone: '09012345678',
      postalCode: '1600023',
      prefecture: '東京都',
      city: '新宿区',
      addressLine1: '西新宿1-2-3',
      addressLine2: undefined,
    })
  })

  it('reports every empty field as required, or asks for a choice', () => {
    const empty = Object.fromEntries(Object.keys(valid).map((name) => [name, '']))
    const result = schema.safeParse(empty)
    expect(result.success).toBe(false)
    if (result.success) return
    expect(fieldErrorsOf(result.error)).toEqual({
      familyName: 'details.errors.required',
      givenName: 'details.errors.required',
      familyNameKana: 'details.errors.required',
      givenNameKana: 'details.errors.required',
      birthDate: 'details.errors.required',
      gender: 'details.errors.genderChoice',
      email: 'details.errors.required',
      postalCode: 'details.errors.required',
      prefecture: 'details.errors.prefectureChoice',
      city: 'details.errors.required',
      addressLine1: 'details.errors.required',
    })
  })

  it('treats a field that was not posted like an empty one', () => {
    expect(errorsOf({ familyName: undefined, gender: undefined, prefecture: undefined })).toEqual({
      familyName: 'details.errors.required',
      gender: 'details.errors.genderChoice',
      prefecture: 'details.errors.prefectureChoice',
    })
  })

  it.each([null, undefined, 'form', 3, []])('refuses %j without throwing', (input) => {
    expect(schema.safeParse(input).success).toBe(false)
  })

  it("uses Japan's date today when none is given", () => {
    const { year } = japanToday()
    const now = registrationDetailsSchema()
    expect(now.safeParse({ ...valid, birthDate: `${year - 20}-01-01` }).success).toBe(true)
    expect(now.safeParse({ ...valid, birthDate: `${year + 1}-01-01` }).success).toBe(false)
  })

  it('gives only keys under details.errors', () => {
    const result = schema.safeParse({ familyName: 3, phone: 'x', birthDate: '1800-01-01' })
    expect(result.success).toBe(false)
    if (result.success) return
    for (const issue of result.error.issues) expect(issue.message).toMatch(/^details\.errors\.[a-zA-Z]+$/)
    expect(Object.values(DETAILS_ERRORS).every((key) => key.startsWith('details.errors.'))).toBe(true)
  })

  describe('names', () => {
    it('trims and keeps one space between words', () => {
      const details = accepted({ familyName: '  見本 ', givenName: 'Mary　 Ann' })
      expect(details.familyName).toBe('見本')
      expect(details.givenName).toBe('Mary Ann')
    })

    it('refuses a name of spaces as required', () => {
      expect(errorsOf({ givenName: ' 　 ' })).toEqual({ givenName: 'details.errors.required' })
    })

    it('accepts 50 characters, counting 𠮷 as one, and refuses 51', () => {
      expect(accepted({ familyName: '𠮷'.repeat(50) }).familyName).toBe('𠮷'.repeat(50))
      expect(errorsOf({ familyName: '見'.repeat(51) })).toEqual({ familyName: 'details.errors.tooLong' })
    })
  })

  describe('kana', () => {
    it.each([
      ['みほん', 'ミホン'],
      ['ﾐﾎﾝ', 'ミホン'],
      ['ｶﾞｯｺｳ', 'ガッコウ'],
      ['ﾊﾟｰﾙ･ﾊﾞｯｸ', 'パール・バック'],
      ['じょーじ・すみす', 'ジョージ・スミス'],
      ['  やまだ　 たろう ', 'ヤマダ タロウ'],
      ['ゔぁいおりん', 'ヴァイオリン'],
      ['ミホン', 'ミホン'],
    ])('reads %s as %s', (typed, katakana) => {
      expect(accepted({ familyNameKana: typed }).familyNameKana).toBe(katakana)
    })

    it.each(['Mihon', '見本', 'ミホン1', 'ミホン１', 'ミ-ホン', 'ー', '・'])('refuses %s', (typed) => {
      expect(errorsOf({ givenNameKana: typed })).toEqual({ givenNameKana: 'details.errors.kanaOnly' })
    })

    it('refuses more than 50 characters', () => {
      expect(accepted({ familyNameKana: 'あ'.repeat(50) }).familyNameKana).toBe('ア'.repeat(50))
      expect(errorsOf({ familyNameKana: 'あ'.repeat(51) })).toEqual({
        familyNameKana: 'details.errors.tooLong',
      })
    })
  })

  describe('birth date', () => {
    it.each([
      ['1985-04-01', '1985-04-01'],
      ['1985/4/1', '1985-04-01'],
      ['１９８５－０４－０１', '1985-04-01'],
      ['2000-02-29', '2000-02-29'],
    ])('reads %s', (typed, iso) => {
      expect(accepted({ birthDate: typed }).birthDate).toBe(iso)
    })

    it.each(['2023-02-30', '2025-02-29', '1985-13-01', 'April 1 1985', '19850401', '1985-04-01T00:00'])(
      'refuses %s as not a date',
      (typed) => {
        expect(errorsOf({ birthDate: typed })).toEqual({ birthDate: 'details.errors.birthDateFormat' })
      },
    )

    it.each([
      ['tomorrow', '2026-03-16'],
      ['next year', '2027-01-01'],
      ['150 years ago', '1876-03-15'],
      ['121 years ago', '1905-03-15'],
      ['far past', '1600-02-30'],
      ['12 years and 364 days ago', '2013-03-16'],
    ])('refuses a birth date %s as implausible', (_, typed) => {
      expect(errorsOf({ birthDate: typed })).toEqual({ birthDate: 'details.errors.birthDateImplausible' })
    })

    it('accepts ages 13 and 120 on the birthday', () => {
      expect(accepted({ birthDate: '2013-03-15' }).birthDate).toBe('2013-03-15')
      expect(accepted({ birthDate: '1906-03-15' }).birthDate).toBe('1906-03-15')
      expect(accepted({ birthDate: '1905-03-16' }).birthDate).toBe('1905-03-16')
    })

    it('judges age by the injected today', () => {
      const later = registrationDetailsSchema({ today: { year: 2026, month: 3, day: 16 } })
      expect(later.safeParse({ ...valid, birthDate: '2013-03-16' }).success).toBe(true)
    })
  })

  describe('gender', () => {
    it.each(GENDER_CODES)('reads ISO/IEC 5218 code %i as a number', (code) => {
      expect(accepted({ gender: String(code) }).gender).toBe(code)
    })

    it.each(['3', '8', '', 'male', '12', '-1'])('refuses %s', (typed) => {
      expect(errorsOf({ gender: typed })).toEqual({ gender: 'details.errors.genderChoice' })
    })
  })

  describe('e-mail', () => {
    it('reads it lower-cased and folded', () => {
      expect(accepted({ email: ' ＨＡＮＡＫＯ@example.jp ' }).email).toBe('hanako@example.jp')
    })

    it.each(['hanako', 'hanako@example', 'hana ko@example.jp', '@example.jp'])('refuses %s', (typed) => {
      expect(errorsOf({ email: typed })).toEqual({ email: 'details.errors.emailFormat' })
    })
  })

  describe('phone', () => {
    it.each([
      ['090-1234-5678', '09012345678'],
      ['０８０ー１２３４ー５６７８', '08012345678'],
      ['+81 70 1234 5678', '07012345678'],
      ['050-1234-5678', '05012345678'],
      ['03-1234-5678', '0312345678'],
      ['0776-12-3456', '0776123456'],
    ])('reads %s', (typed, digits) => {
      expect(accepted({ phone: typed }).phone).toBe(digits)
    })

    it.each(['090-1234-567', '03-1234-56789', '12345', '0312345678901', 'phone'])('refuses %s', (typed) => {
      expect(errorsOf({ phone: typed })).toEqual({ phone: 'details.errors.phoneFormat' })
    })

    it('may be left empty: members never had to give one', () => {
      expect(accepted({ phone: '' }).phone).toBeUndefined()
      expect(accepted({ phone: '   ' }).phone).toBeUndefined()
    })
  })

  describe('postal code', () => {
    it.each(['〒160-0023', '160-0023', '1600023', '〒１６０－００２３', '160 0023'])('reads %s', (typed) => {
      expect(accepted({ postalCode: typed }).postalCode).toBe('1600023')
    })

    it.each(['160-002', '16000230', 'abc-defg', '000-0000'])('refuses %s', (typed) => {
      expect(errorsOf({ postalCode: typed })).toEqual({ postalCode: 'details.errors.postalCodeFormat' })
    })

    it.each([
      ['100-0001', '東京都'],
      ['060-0001', '北海道'],
      ['010-0001', '秋田県'],
      ['900-0001', '沖縄県'],
      ['530-0001', '大阪府'],
      ['812-0011', '福岡県'],
      ['817-0000', '長崎県'],
      ['685-0000', '島根県'],
    ])('accepts %s in %s', (postalCode, prefecture) => {
      expect(accepted({ postalCode, prefecture }).prefecture).toBe(prefecture)
    })

    it.each([
      ['100-0001', '大阪府'],
      ['060-0001', '青森県'],
      ['010-0001', '北海道'],
      ['900-0001', '鹿児島県'],
      ['530-0001', '京都府'],
      ['817-0000', '福岡県'],
      ['685-0000', '鳥取県'],
    ])('refuses %s in %s as a mismatch', (postalCode, prefecture) => {
      expect(errorsOf({ postalCode, prefecture })).toEqual({
        postalCode: 'details.errors.postalCodeMismatch',
      })
    })

    it.each([
      ['498-0000', '愛知県', '三重県'],
      ['618-0000', '京都府', '大阪府'],
      ['871-0000', '大分県', '福岡県'],
      ['811-5100', '福岡県', '長崎県'],
    ])('accepts %s in both prefectures it straddles', (postalCode, main, other) => {
      expect(accepted({ postalCode, prefecture: main }).prefecture).toBe(main)
      expect(accepted({ postalCode, prefecture: other }).prefecture).toBe(other)
      expect(prefecturesForPostalCode(postalCode)).toEqual([main, other])
    })

    it('reports a mismatch while other fields are still wrong', () => {
      expect(errorsOf({ postalCode: '100-0001', prefecture: '大阪府', phone: '12' })).toEqual({
        postalCode: 'details.errors.postalCodeMismatch',
        phone: 'details.errors.phoneFormat',
      })
    })

    it('reports no mismatch when the postal code or prefecture is itself wrong', () => {
      expect(errorsOf({ postalCode: '100-001', prefecture: '大阪府' })).toEqual({
        postalCode: 'details.errors.postalCodeFormat',
      })
      expect(errorsOf({ postalCode: '100-0001', prefecture: 'Osaka' })).toEqual({
        prefecture: 'details.errors.prefectureChoice',
      })
    })
  })

  describe('prefecture', () => {
    it.each(['Tokyo', '東京', '13', '東京都庁'])('refuses %s', (typed) => {
      expect(errorsOf({ prefecture: typed })).toEqual({ prefecture: 'details.errors.prefectureChoice' })
    })
  })

  describe('address', () => {
    it('keeps an optional second line and refuses over-long lines', () => {
      expect(accepted({ addressLine2: ' 見本マンション 101 ' }).addressLine2).toBe('見本マンション 101')
      expect(accepted({ addressLine2: undefined }).addressLine2).toBeUndefined()
      expect(accepted({ city: '市'.repeat(100) }).city).toBe('市'.repeat(100))
      expect(errorsOf({ city: '市'.repeat(101), addressLine1: '', addressLine2: '丁'.repeat(101) })).toEqual({
        city: 'details.errors.tooLong',
        addressLine1: 'details.errors.required',
        addressLine2: 'details.errors.tooLong',
      })
    })
  })
})

describe('japanToday', () => {
  it('is the date in Japan, nine hours ahead of UTC', () => {
    expect(japanToday(new Date('2026-03-15T14:59:59Z'))).toEqual({ year: 2026, month: 3, day: 15 })
    expect(japanToday(new Date('2026-03-15T15:00:00Z'))).toEqual({ year: 2026, month: 3, day: 16 })
    expect(japanToday(new Date('2025-12-31T15:00:00Z'))).toEqual({ year: 2026, month: 1, day: 1 })
  })
})

describe('fieldErrorsOf', () => {
  it('keeps the first error of each field', () => {
    const result = schema.safeParse({ ...valid, phone: 'x' })
    expect(result.success).toBe(false)
    if (result.success) return
    const error = result.error
    error.issues.push({ code: 'custom', path: ['phone'], message: 'details.errors.required', input: '' })
    error.issues.push({ code: 'custom', path: ['unknown'], message: 'details.errors.required', input: '' })
    expect(fieldErrorsOf(error)).toEqual({ phone: 'details.errors.phoneFormat' })
  })
})

describe('toFullWidthKatakana', () => {
  it('keeps the long-sound mark and the middle dot', () => {
    expect(toFullWidthKatakana('ｺｰﾋｰ･ﾌﾞﾚｲｸ')).toBe('コーヒー・ブレイク')
  })

  it.each(['', ' ', 'abc', '山田', 'ヤマダ1', 'ヤマダ!'])('refuses %j', (typed) => {
    expect(toFullWidthKatakana(typed)).toBeUndefined()
  })

  it('refuses iteration marks without a kana to repeat', () => {
    expect(toFullWidthKatakana('ゝゞ')).toBeUndefined()
    expect(toFullWidthKatakana('みすゞ')).toBe('ミスヾ')
  })

  it('turns any hiragana string into katakana of the same length', () => {
    const letter = fc.integer({ min: 0x3041, max: 0x3096 })
    const hiragana = fc.oneof({ arbitrary: letter, weight: 10 }, fc.constantFrom(0x309d, 0x309e))
    const words = fc
      .array(hiragana, { minLength: 1, maxLength: 40 })
      .filter((codes) => codes.some((code) => code <= 0x3096))
    fc.assert(
      fc.property(words, (codes) => {
        const typed = String.fromCharCode(...codes)
        const katakana = toFullWidthKatakana(typed)
        expect(katakana).toBe(String.fromCharCode(...codes.map((code) => code + 0x60)))
        expect(katakana).toHaveLength(typed.length)
      }),
    )
  })
})

describe('prefectures', () => {
  it('lists the 47 in JIS X 0401 order, each once', () => {
    expect(PREFECTURES).toHaveLength(47)
    expect(PREFECTURES.map(({ code }) => code)).toEqual(
      Array.from({ length: 47 }, (_, index) => String(index + 1).padStart(2, '0')),
    )
    expect(new Set(PREFECTURES.map(({ name }) => name)).size).toBe(47)
    expect(new Set(PREFECTURES.map(({ nameEn }) => nameEn)).size).toBe(47)
    expect(PREFECTURES[0]).toEqual({ code: '01', name: '北海道', nameEn: 'Hokkaido' })
    expect(PREFECTURES.at(-1)).toEqual({ code: '47', name: '沖縄県', nameEn: 'Okinawa' })
    expect(PREFECTURES.find(({ name }) => name === '東京都')?.code).toBe('13')
    expect(PREFECTURES[25]).toEqual({ code: '26', name: '京都府', nameEn: 'Kyoto' })
    expect(PREFECTURES[26]).toEqual({ code: '27', name: '大阪府', nameEn: 'Osaka' })
  })

  it('finds a prefecture by code or Japanese name', () => {
    expect(prefectureOf('13')?.name).toBe('東京都')
    expect(prefectureOf(13)?.name).toBe('東京都')
    expect(prefectureOf('01')?.name).toBe('北海道')
    expect(prefectureOf(' 大阪府 ')?.code).toBe('27')
    expect(prefectureOf('Tokyo')).toBeUndefined()
    expect(prefectureOf('0')).toBeUndefined()
    expect(prefectureOf('48')).toBeUndefined()
  })

  it('gives every three-digit area but 000 a prefecture, and every prefecture an area', () => {
    const areas = Array.from({ length: 999 }, (_, index) => String(index + 1).padStart(3, '0'))
    const main = areas.map((area) => prefecturesForPostalCode(`${area}0000`))
    expect(main.every((names) => names.length > 0)).toBe(true)
    expect(new Set(main.map((names) => names[0])).size).toBe(47)
    expect(prefecturesForPostalCode('0000000')).toEqual([])
    expect(prefecturesForPostalCode('not a code')).toEqual([])
  })

  it('matches a postal code with its prefecture by name or code', () => {
    expect(postalCodeMatchesPrefecture({ postalCode: '〒100-0001', prefecture: '東京都' })).toBe(true)
    expect(postalCodeMatchesPrefecture({ postalCode: '1000001', prefecture: '13' })).toBe(true)
    expect(postalCodeMatchesPrefecture({ postalCode: '1000001', prefecture: '大阪府' })).toBe(false)
    expect(postalCodeMatchesPrefecture({ postalCode: '1000001', prefecture: 'Atlantis' })).toBe(false)
    expect(postalCodeMatchesPrefecture({ postalCode: '100', prefecture: '東京都' })).toBe(false)
  })
})

describe('gender choices', () => {
  it('offers each ISO/IEC 5218 code once, 0 as not known', () => {
    expect(GENDER_CHOICES.map(({ code }) => code).sort()).toEqual([...GENDER_CODES].sort())
    expect(GENDER_CHOICES.map(({ value, code }) => value === String(code))).not.toContain(false)
    expect(GENDER_CHOICES.find(({ code }) => code === 0)?.labelKey).toBe('details.gender.notKnown')
    expect(Object.fromEntries(GENDER_CHOICES.map(({ code, labelKey }) => [code, labelKey]))).toEqual({
      0: 'details.gender.notKnown',
      1: 'details.gender.male',
      2: 'details.gender.female',
      9: 'details.gender.notApplicable',
    })
  })
})

const record: SubjectRecord = {
  naturalId: 'M0000001',
  familyName: '見本',
  givenName: '花子',
  familyNameKana: 'ミホン',
  givenNameKana: 'ハナコ',
  birthDate: '1985-04-01',
  gender: 2,
  email: 'Hanako.Mihon@example.jp',
  phone: '09012345678',
  postalCode: '1600023',
  prefecture: '東京都',
  city: '新宿区',
  addressLine1: '西新宿1-2-3',
}

describe('detailsFromRecord', () => {
  it('fills the form with the stored values as inputs show them', () => {
    expect(detailsFromRecord(record)).toEqual({
      familyName: '見本',
      givenName: '花子',
      familyNameKana: 'ミホン',
      givenNameKana: 'ハナコ',
      birthDate: '1985-04-01',
      gender: '2',
      email: 'Hanako.Mihon@example.jp',
      phone: '090-1234-5678',
      postalCode: '160-0023',
      prefecture: '東京都',
      city: '新宿区',
      addressLine1: '西新宿1-2-3',
      addressLine2: '',
    })
  })

  it('leaves missing or unreadable values empty', () => {
    const form = detailsFromRecord({
      naturalId: 'M0000002',
      gender: 0,
      birthDate: '1985/4/1',
      prefecture: 'Atlantis',
    })
    expect(form.familyName).toBe('')
    expect(form.gender).toBe('0')
    expect(form.birthDate).toBe('1985-04-01')
    expect(form.prefecture).toBe('')
    expect(form.postalCode).toBe('')
    expect(detailsFromRecord({ naturalId: 'M0000003' }).gender).toBe('')
  })

  it('shows a stored phone number grouped as people write it, as the hint does', () => {
    expect(detailsFromRecord({ naturalId: 'M0000005', phone: '0600000002' }).phone).toBe('06-0000-0002')
    expect(detailsFromRecord({ naturalId: 'M0000006', phone: '０３ー１２３４ー５６７８' }).phone).toBe(
      '03-1234-5678',
    )
    expect(detailsFromRecord({ naturalId: 'M0000007' }).phone).toBe('')
  })

  it('finds a prefecture stored as its code', () => {
    expect(detailsFromRecord({ naturalId: 'M0000004', prefecture: '27' }).prefecture).toBe('大阪府')
  })
})

describe('changedFields', () => {
  it('finds nothing when a record is confirmed as it was', () => {
    const result = schema.safeParse(detailsFromRecord(record))
    expect(result.success).toBe(true)
    if (!result.success) return
    expect(changedFields({ before: record, after: result.data })).toEqual([])
  })

  it('ignores differences in form alone', () => {
    const after = accepted({
      familyNameKana: 'みほん',
      givenNameKana: 'ﾊﾅｺ',
      email: 'hanako.mihon@EXAMPLE.jp',
      phone: '０９０ー１２３４ー５６７８',
      postalCode: '〒１６０－００２３',
      addressLine1: '西新宿１－２－３',
    })
    expect(changedFields({ before: record, after })).toEqual([])
  })

  it('ignores a space between kana words, which matching drops', () => {
    const before = { ...record, givenNameKana: 'メアリーアン' }
    const after = accepted({ givenNameKana: 'めありー あん' })
    expect(after.givenNameKana).toBe('メアリー アン')
    expect(changedFields({ before, after })).toEqual([])
    expect(changedFields({ before, after: accepted({ givenNameKana: 'メアリー' }) })).toEqual([
      'givenNameKana',
    ])
  })

  it('treats an unrecorded gender as not known', () => {
    const after = accepted({ gender: '0' })
    expect(changedFields({ before: { ...record, gender: undefined }, after })).toEqual([])
    expect(changedFields({ before: record, after })).toEqual(['gender'])
  })

  it('names the changed fields, in form order, without their values', () => {
    const after = accepted({
      addressLine2: '見本マンション101',
      city: '渋谷区',
      phone: '080-9999-0000',
      postalCode: '150-0001',
    })
    const changed = changedFields({ before: record, after })
    expect(changed).toEqual(['phone', 'postalCode', 'city', 'addressLine2'])
    const listed = JSON.stringify(changed)
    for (const value of ['渋谷区', '08099990000', '1500001', '見本マンション101'])
      expect(listed).not.toContain(value)
  })
})
