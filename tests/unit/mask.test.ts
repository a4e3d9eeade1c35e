import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  maskAddress,
  maskBirthDate,
  maskCard,
  maskEmail,
  maskIdentifier,
  maskName,
  maskPhone,
} from '~/exposure/mask'

const digitsOf = (value: string) => value.replace(/\D/g, '')
const toFullWidth = (value: string) =>
  value.replace(/[0-9A-Za-z@.\-_]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0))

describe('maskEmail', () => {
  it('keeps the first character of the local part and the domain', () => {
    expect(maskEmail('taro@example.co.jp')).toBe('t***@example.co.jp')
    expect(maskEmail('Hanako.Mihon@Example.jp')).toBe('H***@Example.jp')
  })

  it('shows nothing of a one-character local part', () => {
    expect(maskEmail('a@example.jp')).toBe('***@example.jp')
  })

  it('folds full-width input before masking', () => {
    expect(maskEmail(toFullWidth('taro@example.co.jp'))).toBe('t***@example.co.jp')
  })

  it('gives null for nothing or for what is not an address', () => {
    expect(maskEmail(undefined)).toBeNull()
    expect(maskEmail('')).toBeNull()
    expect(maskEmail('taro')).toBeNull()
    expect(maskEmail('@example.jp')).toBeNull()
    expect(maskEmail('taro@')).toBeNull()
  })

  it('never shows more than one character of the local part, whatever its length', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9._]{1,40}$/), (local) => {
        const masked = maskEmail(`${local}@example.jp`) ?? ''
        const shown = masked.slice(0, masked.indexOf('***'))
        expect(shown.length).toBeLessThanOrEqual(1)
        expect(masked.endsWith('***@example.jp')).toBe(true)
      }),
    )
  })
})

describe('maskPhone', () => {
  it('shows only the last four digits of any stored form', () => {
    for (const phone of [
      '09012345678',
      '090-1234-5678',
      '090 1234 5678',
      '＋81 90ー1234ー5678',
      '０９０１２３４５６７８',
    ]) {
      expect(maskPhone(phone)).toBe('***-****-5678')
    }
    expect(maskPhone('0600000002')).toBe('***-****-0002')
  })

  it('shows at most half of an odd short value, and null for none', () => {
    expect(maskPhone('123')).toBe('***-****-3')
    expect(maskPhone('1')).toBeNull()
    expect(maskPhone('')).toBeNull()
    expect(maskPhone(undefined)).toBeNull()
    expect(maskPhone('no digits')).toBeNull()
  })

  it('never shows more than the last four digits', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^0\d{9,10}$/),
        fc.constantFrom('', '-', ' ', 'ー', '－'),
        fc.boolean(),
        (phone, separator, fullWidth) => {
          const written = `${phone.slice(0, 3)}${separator}${phone.slice(3, 7)}${separator}${phone.slice(7)}`
          const masked = maskPhone(fullWidth ? toFullWidth(written) : written) ?? ''
          expect(digitsOf(masked)).toBe(phone.slice(-4))
        },
      ),
    )
  })
})

describe('maskAddress', () => {
  const full = {
    postalCode: '1500001',
    prefecture: '東京都',
    city: '渋谷区',
    addressLine1: '神宮前1-2-3',
    addressLine2: 'ハイツ見本 301号室',
  }

  it('goes down to the city and no further', () => {
    expect(maskAddress(full)).toBe('東京都渋谷区')
    expect(maskAddress({ prefecture: '北海道', city: '札幌市中央区' })).toBe('北海道札幌市中央区')
  })

  it('makes do with what is there', () => {
    expect(maskAddress({ prefecture: '大阪府' })).toBe('大阪府')
    expect(maskAddress({ city: '横浜市中区' })).toBe('横浜市中区')
    expect(maskAddress({ postalCode: '1500001', addressLine1: '1-2-3' })).toBe('〒150-****')
    expect(maskAddress({ addressLine1: '1-2-3', addressLine2: 'ハイツ' })).toBeNull()
    expect(maskAddress({})).toBeNull()
  })

  it('cuts a street number out of a city field that carries one', () => {
    expect(maskAddress({ prefecture: '東京都', city: '渋谷区神宮前１－２－３' })).toBe('東京都渋谷区神宮前')
  })

  it('never shows a street line', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{8,20}$/), fc.stringMatching(/^[a-z]{8,20}$/), (line1, line2) => {
        const masked = maskAddress({ ...full, addressLine1: line1, addressLine2: line2 }) ?? ''
        expect(masked).not.toContain(line1)
        expect(masked).not.toContain(line2)
      }),
    )
  })
})

describe('maskCard', () => {
  it('shows the last four digits and the expiry', () => {
    expect(maskCard({ last4: '1234', expiry: '12/27' })).toBe('**** 1234, 12/27')
    expect(maskCard({ last4: '１２３４', expiry: '１/２９' })).toBe('**** 1234, 01/29')
  })

  it('reads other expiry forms and leaves out one it cannot read', () => {
    expect(maskCard({ last4: '1234', expiry: '2027-12' })).toBe('**** 1234, 12/27')
    expect(maskCard({ last4: '1234', expiry: '12/2027' })).toBe('**** 1234, 12/27')
    expect(maskCard({ last4: '1234', expiry: '13/27' })).toBe('**** 1234')
    expect(maskCard({ last4: '1234' })).toBe('**** 1234')
    expect(maskCard({ expiry: '12/27' })).toBe('**** ****, 12/27')
    expect(maskCard({})).toBeNull()
  })

  it('never shows more than four digits of the number, whatever was stored', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,19}$/), fc.integer({ min: 1, max: 12 }), (number, month) => {
        const masked = maskCard({ last4: number, expiry: `${month}/30` }) ?? ''
        const [numberPart, expiryPart] = masked.split(', ')
        expect(digitsOf(numberPart ?? '')).toBe(number.slice(-4))
        expect(expiryPart).toBe(`${String(month).padStart(2, '0')}/30`)
      }),
    )
  })
})

describe('maskBirthDate', () => {
  it('keeps the year only', () => {
    expect(maskBirthDate('1985-04-01')).toBe('1985')
    expect(maskBirthDate('1985/4/1')).toBe('1985')
    expect(maskBirthDate('１９８５－０４－０１')).toBe('1985')
  })

  it('gives null for what is not a date', () => {
    expect(maskBirthDate(undefined)).toBeNull()
    expect(maskBirthDate('')).toBeNull()
    expect(maskBirthDate('April 1985')).toBeNull()
    expect(maskBirthDate('19850401')).toBeNull()
  })
})

describe('maskIdentifier', () => {
  it('shows the last four characters of a buyer, member or staff ID', () => {
    expect(maskIdentifier('yb_ABC123456')).toBe('…3456')
    expect(maskIdentifier('M00000001')).toBe('…0001')
    expect(maskIdentifier('W000001')).toBe('…001')
    expect(maskIdentifier('ｙｂ＿ＡＢＣ１２３４５６')).toBe('…3456')
  })

  it('never more than half of a short one, and null for none', () => {
    expect(maskIdentifier('E00001')).toBe('…001')
    expect(maskIdentifier('AB')).toBe('…B')
    expect(maskIdentifier('A')).toBeNull()
    expect(maskIdentifier('')).toBeNull()
    expect(maskIdentifier(undefined)).toBeNull()
  })

  it('shows only a short tail of any ID', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/), (id) => {
        const masked = maskIdentifier(id)
        if (masked === null) return
        const tail = masked.slice(1)
        expect(masked.startsWith('…')).toBe(true)
        expect(tail.length).toBeLessThanOrEqual(Math.min(4, Math.floor(id.length / 2)))
        expect(id.endsWith(tail)).toBe(true)
      }),
    )
  })
})

describe('maskName', () => {
  it('never shows a whole one-character name: such a part is masked in full', () => {
    expect(maskName({ familyName: '森', givenName: '花子' })).toBe('*** 花***')
    expect(maskName({ familyName: '見本', givenName: '愛' })).toBe('見*** ***')
    expect(maskName({ familyName: '𠮷', givenName: 'Ｊ' })).toBe('*** ***')
    expect(maskName({ familyNameKana: 'モリ', givenName: ' 愛 ' })).toBe('モ*** ***')
  })

  it('keeps the first character of each part', () => {
    expect(maskName({ familyName: '見本', givenName: '花子' })).toBe('見*** 花***')
    expect(maskName({ familyName: 'Smith', givenName: 'John' })).toBe('S*** J***')
  })

  it('falls back on kana, and copes with a missing part', () => {
    expect(maskName({ familyNameKana: 'ミホン', givenName: '花子' })).toBe('ミ*** 花***')
    expect(maskName({ familyName: '見本' })).toBe('見***')
    expect(maskName({})).toBeNull()
  })

  it('takes a whole character, even outside the basic plane', () => {
    expect(maskName({ familyName: '𠮷田', givenName: '太郎' })).toBe('𠮷*** 太***')
  })

  it('does not tell how long a name of two characters or more is', () => {
    expect(maskName({ familyName: '見本', givenName: '花子' })).toBe(
      maskName({ familyName: '見本見本', givenName: '花子花子' }),
    )
  })
})
