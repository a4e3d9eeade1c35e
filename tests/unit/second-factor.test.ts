import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readWrittenDate } from '~/accounts/calendar'
import { readSecondFactor } from '~/verify/second-factor'

describe('the second factor with a letter code', () => {
  it.each([
    '1985-04-01',
    '1985/4/1',
    '19850401',
    '１９８５年４月１日',
    '1985年4月1日',
    '昭和60年4月1日',
    'S60.4.1',
    's60/04/01',
    ' 1985.04.01 ',
  ])('reads %s as the birth date 1985-04-01', (typed) => {
    expect(readSecondFactor(typed).birthDate).toBe('1985-04-01')
  })

  it('reads the first year of an era', () => {
    expect(readSecondFactor('平成元年1月8日').birthDate).toBe('1989-01-08')
  })

  it('refuses days that do not exist', () => {
    expect(readSecondFactor('2019-02-30').birthDate).toBeUndefined()
    expect(readSecondFactor('19851301').birthDate).toBeUndefined()
  })

  it.each(['090-1234-5678', '０９０ー１２３４ー５６７８', '+81 90 1234 5678'])(
    'reads %s as a phone number',
    (typed) => {
      expect(readSecondFactor(typed).phone).toBe('09012345678')
    },
  )

  it('reads a staff ID however it is typed', () => {
    expect(readSecondFactor(' ｗ０００００１ ').identifier).toBe('W000001')
  })
})

describe('dates as people write them', () => {
  it.each([
    ['昭和十四年四月五日', '1939-04-05'],
    ['平成元年一月八日', '1989-01-08'],
    ['二〇〇一年十二月三日', '2001-12-03'],
    ['千九百八十五年四月一日', '1985-04-01'],
    ['一九八五年四月一日', '1985-04-01'],
    ['昭和六十年四月一日', '1985-04-01'],
    ['令和元年五月一日', '2019-05-01'],
    ['平成三十一年四月三十日', '2019-04-30'],
    ['1985年4月1日生', '1985-04-01'],
    ['昭和60年4月1日生まれ', '1985-04-01'],
    ['昭和60年4月1日 生まれ', '1985-04-01'],
    ['1985/4/1生', '1985-04-01'],
    ['㍼60年4月1日', '1985-04-01'],
    ['Ｓ６０．４．１', '1985-04-01'],
    ['昭和６０年４月１日', '1985-04-01'],
    ['昭和 60 年 4 月 1 日', '1985-04-01'],
    ['平成元年1月8日', '1989-01-08'],
    ['H1.1.8', '1989-01-08'],
  ])('reads %s as %s', (typed, iso) => {
    expect(readWrittenDate(typed)).toEqual({ read: 'date', iso })
    expect(readSecondFactor(typed).birthDate).toBe(iso)
    expect(readSecondFactor(typed).unreadableDate).toBeUndefined()
  })

  it.each([
    '2019-02-30',
    '1985年13月1日',
    '昭和六十年四月',
    '昭和六十年四月三十一日',
    '85/4/1',
    '1985年4月1日頃',
    '平成百年一月一日',
    '生',
    '四月一日生まれ',
  ])('cannot read %s, and says it is a date it could not read', (typed) => {
    expect(readWrittenDate(typed)).toEqual({ read: 'unreadable' })
    expect(readSecondFactor(typed)).toEqual({ unreadableDate: true })
  })

  it.each(['090-1234-5678', 'W000001', 'w-101', 'E12345', '+81 90 1234 5678'])(
    'takes %s for something other than a date',
    (typed) => {
      expect(readWrittenDate(typed)).toEqual({ read: 'none' })
      expect(readSecondFactor(typed).unreadableDate).toBeUndefined()
    },
  )

  it('reads no more than a date is long: a long input is no date, before any pattern runs', () => {
    expect(readWrittenDate(`${'一'.repeat(10_000)}年`)).toEqual({ read: 'none' })
  })

  // Every day from Taishō to Reiwa, written in its era with kanji numerals, comes back as itself.
  const ERAS: [string, number, number][] = [
    ['令和', 2019, 2099],
    ['平成', 1989, 2019],
    ['昭和', 1926, 1989],
    ['大正', 1912, 1926],
  ]
  const kanji = (n: number) => {
    const digits = '〇一二三四五六七八九'
    const tens = Math.floor(n / 10)
    const ones = n % 10
    return `${tens > 1 ? digits[tens] : ''}${tens > 0 ? '十' : ''}${ones > 0 || tens === 0 ? digits[ones] : ''}`
  }
  it('reads any real day written in its era, in kanji or Arabic numerals, with or without 生', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1912-08-01T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.boolean(),
        fc.constantFrom('', '生', '生まれ'),
        (date, inKanji, suffix) => {
          const year = date.getUTCFullYear()
          const month = date.getUTCMonth() + 1
          const day = date.getUTCDate()
          const [era, start] = ERAS.find(([, from]) => year >= from) ?? ['大正', 1912, 1926]
          const eraYear = year - start + 1
          const number = inKanji ? kanji : String
          const written = `${era}${eraYear === 1 ? '元' : number(eraYear)}年${number(month)}月${number(day)}日${suffix}`
          const iso = date.toISOString().slice(0, 10)
          expect(readWrittenDate(written)).toEqual({ read: 'date', iso })
        },
      ),
    )
  })

  it('never throws and always answers one of its three readings, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'grapheme' }), (typed) => {
        expect(['date', 'unreadable', 'none']).toContain(readWrittenDate(typed).read)
      }),
    )
  })
})
