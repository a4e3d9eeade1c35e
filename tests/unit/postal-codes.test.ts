import { describe, expect, it } from 'vitest'
import { prefecturesOfPostalCode } from '~/accounts/postal-codes.server'
import { registrationDetailsSchema } from '~/accounts/registration-form'

describe('prefectures of a postal code, from Japan Post’s list', () => {
  it.each([
    ['100-0001', ['東京都']],
    ['〒060-0001', ['北海道']],
    ['900-0001', ['沖縄県']],
    ['５３０－０００１', ['大阪府']],
  ])('puts %s in %j', (code, prefectures) => {
    expect(prefecturesOfPostalCode(code)).toEqual(prefectures)
  })

  it('gives both prefectures of a code that spans a border', () => {
    expect(prefecturesOfPostalCode('498-0000')).toEqual(['愛知県', '三重県'])
  })

  it('falls back to the 3-digit area for a code the list does not hold yet', () => {
    expect(prefecturesOfPostalCode('100-9999')).toEqual(['東京都'])
  })

  it('knows no prefecture for what is not a postal code', () => {
    expect(prefecturesOfPostalCode('000-0000')).toEqual([])
    expect(prefecturesOfPostalCode('12345')).toEqual([])
  })

  it('decides the details form’s postal code check on the server', () => {
    const schema = registrationDetailsSchema({ prefecturesFor: prefecturesOfPostalCode })
    const details = {
      familyName: '見本',
      givenName: '花子',
      familyNameKana: 'ミホン',
      givenNameKana: 'ハナコ',
      birthDate: '1985-04-01',
      gender: '2',
      email: 'hanako@example.jp',
      phone: '',
      postalCode: '498-0000',
      prefecture: '三重県',
      city: '桑名郡木曽岬町',
      addressLine1: '1-1',
    }
    expect(schema.safeParse(details).success).toBe(true)
    const wrong = schema.safeParse({ ...details, prefecture: '岐阜県' })
    expect(wrong.success).toBe(false)
    expect(wrong.error?.issues.map((issue) => issue.message)).toEqual(['details.errors.postalCodeMismatch'])
  })
})
