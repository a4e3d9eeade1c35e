import { describe, expect, it } from 'vitest'
import { intlLocale } from '~/i18n/config'

const resumption = new Date('2026-04-23T00:00:00+09:00')
const format = (language: string) =>
  new Intl.DateTimeFormat(intlLocale(language), { dateStyle: 'long', timeZone: 'Asia/Tokyo' }).format(
    resumption,
  )

describe('dates per locale', () => {
  it('writes the resumption date the Japanese way', () => {
    expect(format('ja')).toBe('2026年4月23日')
  })

  it('writes it the British English way', () => {
    expect(format('en')).toBe('23 April 2026')
  })
})
