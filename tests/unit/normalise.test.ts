import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compareMoments,
  normaliseCardExpiry,
  normaliseCardLast4,
  normaliseEmail,
  normaliseGender,
  normaliseIdentifier,
  normaliseKana,
  normalisePhone,
  normalisePostalCode,
  parseLegacyDateTime,
} from '~db/normalise'

describe('normalisePhone', () => {
  it.each([
    '090-1234-5678',
    '０９０ー１２３４ー５６７８',
    '090 1234 5678',
    '+81 90-1234-5678',
    '+81 (0)90 1234 5678',
    '090−1234‐5678',
    '０９０－１２３４－５６７８',
    '09012345678',
    '(090) 1234-5678',
  ])('reads %s as the same number', (value) => {
    expect(normalisePhone(value)).toBe('09012345678')
  })

  it('keeps landlines apart from mobiles', () => {
    expect(normalisePhone('03-1234-5678')).toBe('0312345678')
    expect(normalisePhone('+81 3 1234 5678')).toBe('0312345678')
  })

  it.each(['12345', 'abc', '', '090-1234-56789-0', '+1 415 555 0100'])('refuses %s', (value) => {
    expect(normalisePhone(value)).toBeUndefined()
  })

  it('gives the same form for a number written with any separators', () => {
    const separators = ['-', 'ー', '−', '‐', '－', ' ', '', '　']
    fc.assert(
      fc.property(
        fc.stringMatching(/^0[789]0\d{8}$/),
        fc.constantFrom(...separators),
        fc.boolean(),
        (digits, separator, fullWidth) => {
          let written = `${digits.slice(0, 3)}${separator}${digits.slice(3, 7)}${separator}${digits.slice(7)}`
          if (fullWidth)
            written = written.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
          expect(normalisePhone(written)).toBe(digits)
        },
      ),
    )
  })
})

describe('normalisePostalCode', () => {
  it.each(['150-0001', '〒150-0001', '1500001', '〒１５０ー０００１', '150 0001', '〒 150－0001'])(
    'reads %s',
    (value) => {
      expect(normalisePostalCode(value)).toBe('1500001')
    },
  )

  it.each(['150-001', '15000011', 'abc-defg'])('refuses %s', (value) => {
    expect(normalisePostalCode(value)).toBeUndefined()
  })
})

describe('normaliseEmail', () => {
  it('trims, folds full-width characters and lower-cases', () => {
    expect(normaliseEmail('  Taro.Yamada@Example.CO.JP ')).toBe('taro.yamada@example.co.jp')
    expect(normaliseEmail('ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ')).toBe('taro@example.jp')
  })

  it.each(['taro', 'taro@', '@example.jp', 'ta ro@example.jp', 'taro@example'])('refuses %s', (value) => {
    expect(normaliseEmail(value)).toBeUndefined()
  })
})

describe('normaliseKana', () => {
  it('turns half-width kana and hiragana into full-width katakana without spaces', () => {
    expect(normaliseKana('ｻﾄｳ')).toBe('サトウ')
    expect(normaliseKana('さとう')).toBe('サトウ')
    expect(normaliseKana('ｶﾞｸ')).toBe('ガク')
    expect(normaliseKana('サトウ　ハナコ')).toBe('サトウハナコ')
    expect(normaliseKana('ユーコ')).toBe('ユーコ')
  })

  it('refuses anything but kana', () => {
    expect(normaliseKana('佐藤')).toBeUndefined()
    expect(normaliseKana('Sato')).toBeUndefined()
  })
})

describe('parseLegacyDateTime', () => {
  it.each([
    ['2019-02-03', '2019-02-03'],
    ['2019/02/03', '2019-02-03'],
    ['2019/2/3', '2019-02-03'],
    ['２０１９／２／３', '2019-02-03'],
    ['2019-02-03 14:05', '2019-02-03'],
    ['2019/2/3 14:05:09', '2019-02-03'],
  ])('reads %s', (value, iso) => {
    const parsed = parseLegacyDateTime(value)
    expect(
      parsed &&
        `${parsed.date.year}-${String(parsed.date.month).padStart(2, '0')}-${String(parsed.date.day).padStart(2, '0')}`,
    ).toBe(iso)
  })

  it('reads times as Japan time', () => {
    expect(parseLegacyDateTime('2026-02-10 13:00')?.epochMs).toBe(Date.parse('2026-02-10T13:00:00+09:00'))
  })

  it.each(['2019-02-30', '2019-13-01', '2021-02-29', '2019-02-03 25:00', '03/02/2019', 'yesterday', ''])(
    'refuses %s',
    (value) => {
      expect(parseLegacyDateTime(value)).toBeUndefined()
    },
  )

  it('accepts 29 February in a leap year', () => {
    expect(parseLegacyDateTime('2024-02-29')).toBeDefined()
  })
})

describe('small fields', () => {
  it('reads ISO/IEC 5218 gender codes, empty meaning 0', () => {
    expect(['', '0', '1', '２', '9'].map(normaliseGender)).toEqual([0, 0, 1, 2, 9])
    expect(normaliseGender('7')).toBeUndefined()
    expect(normaliseGender('male')).toBeUndefined()
  })

  it('reads card last four digits and expiry', () => {
    expect(normaliseCardLast4('１２３４')).toBe('1234')
    expect(normaliseCardLast4('123')).toBeUndefined()
    expect(normaliseCardExpiry('1/27')).toBe('01/27')
    expect(normaliseCardExpiry('１２／２７')).toBe('12/27')
    expect(normaliseCardExpiry('13/27')).toBeUndefined()
  })

  it('reads identifiers case-insensitively, with any hyphen', () => {
    expect(normaliseIdentifier(' ｍ０００１ ')).toBe('M0001')
    expect(normaliseIdentifier('yb_ab－12')).toBe('YB_AB-12')
  })
})

describe('compareMoments', () => {
  const at = (value: string) =>
    parseLegacyDateTime(value) as NonNullable<ReturnType<typeof parseLegacyDateTime>>

  it('orders moments written with different precision at the coarser one', () => {
    expect(compareMoments(at('2022-05-06 08:16:42'), at('2022-05-06'))).toBe(0)
    expect(compareMoments(at('2022-05-06 23:59:13'), at('2022-05-06 23:59'))).toBe(0)
    expect(compareMoments(at('2022-05-06 23:59'), at('2022-05-07'))).toBeLessThan(0)
    expect(compareMoments(at('2022-05-07 00:00:01'), at('2022-05-06 23:59:59'))).toBeGreaterThan(0)
  })
})
