import { describe, expect, it } from 'vitest'
import { displayPhone, normalisePhone } from '~db/normalise'

describe('displayPhone', () => {
  it('groups mobiles, IP phones and Tokyo and Osaka numbers as people write them', () => {
    expect(displayPhone('09000000001')).toBe('090-0000-0001')
    expect(displayPhone('0600000002')).toBe('06-0000-0002')
    expect(displayPhone('0312345678')).toBe('03-1234-5678')
    expect(displayPhone('08000000003')).toBe('080-0000-0003')
    expect(displayPhone('07000000004')).toBe('070-0000-0004')
    expect(displayPhone('05012345678')).toBe('050-1234-5678')
  })

  it('reads every stored form: hyphens of any kind, spaces, full width, +81', () => {
    for (const stored of [
      '090-1234-5678',
      '090 1234 5678',
      '０９０ー１２３４ー５６７８',
      '＋81 90ー1234ー5678',
      '+81-90-1234-5678',
      '0081 90 1234 5678',
      ' 09012345678 ',
    ]) {
      expect(displayPhone(stored), stored).toBe('090-1234-5678')
    }
  })

  it('groups free dial and navi dial numbers, and reads an 11-digit 080 number as a mobile', () => {
    expect(displayPhone('08001234567')).toBe('080-0123-4567')
    expect(displayPhone('0120123456')).toBe('0120-123-456')
    expect(displayPhone('0570123456')).toBe('0570-123-456')
  })

  it('keeps the grouping a landline was stored with when it is a whole one', () => {
    expect(displayPhone('0422-12-3456')).toBe('0422-12-3456')
    expect(displayPhone('011－123－4567')).toBe('011-123-4567')
    expect(displayPhone('+81 422-12-3456')).toBe('0422-12-3456')
    expect(displayPhone('+81 (0)422 12 3456')).toBe('0422-12-3456')
  })

  it('shows a landline stored without a whole grouping as its digits, never grouped wrongly', () => {
    expect(displayPhone('0422123456')).toBe('0422123456')
    expect(displayPhone('0422-123456')).toBe('0422123456')
  })

  it('shows what is no Japanese number as stored, trimmed', () => {
    expect(displayPhone('  unknown ')).toBe('unknown')
    expect(displayPhone('')).toBe('')
    expect(displayPhone('12345')).toBe('12345')
  })

  it('always gives a form that normalises back to the same number', () => {
    for (const stored of ['09000000001', '0600000002', '0120123456', '0422-12-3456', '0422123456']) {
      expect(normalisePhone(displayPhone(stored)), stored).toBe(normalisePhone(stored))
    }
  })
})
