import { describe, expect, it } from 'vitest'
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
