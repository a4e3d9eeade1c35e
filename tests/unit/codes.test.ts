import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkSymbol } from '~/codes/crockford'
import { newLetterCode, readLetterCode } from '~/codes/letter-code.server'
import { newMessageReference, readMessageReference } from '~/codes/message-reference.server'

const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const data = (length: number) =>
  fc.array(fc.constantFrom(...SYMBOLS), { minLength: length, maxLength: length }).map((s) => s.join(''))

describe('letter codes', () => {
  it('are 12 Crockford symbols and a plain check symbol, printed in groups of four', () => {
    for (let i = 0; i < 200; i++) {
      const code = newLetterCode()
      expect(code.printed).toMatch(
        /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/,
      )
      expect(code.printed.replaceAll('-', '')).toBe(code.canonical)
      expect(checkSymbol(code.canonical.slice(0, 12))).toBe(code.canonical.slice(12))
    }
  })

  it('come from the CSPRNG: no two alike in ten thousand', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => newLetterCode().canonical))
    expect(codes.size).toBe(10_000)
  })

  it('are read back however they are typed: case, hyphens, spaces, full width, look-alikes', () => {
    const { canonical, printed } = newLetterCode()
    const fullWidth = printed.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
    for (const typed of [
      printed,
      printed.toLowerCase(),
      canonical,
      printed.replaceAll('-', ' '),
      ` ${fullWidth} `,
    ]) {
      expect(readLetterCode(typed)).toEqual({ ok: true, canonical })
    }
    const withLookAlikes = canonical.replaceAll('1', 'l').replaceAll('0', 'O')
    expect(readLetterCode(withLookAlikes)).toEqual({ ok: true, canonical })
  })

  it('catch every single wrong symbol and every swap of neighbours by the check symbol', () => {
    fc.assert(
      fc.property(data(12), fc.nat(11), fc.constantFrom(...SYMBOLS), (body, position, replacement) => {
        const code = body + checkSymbol(body)
        const typo = code.slice(0, position) + replacement + code.slice(position + 1)
        fc.pre(typo !== code)
        expect(readLetterCode(typo)).toEqual({ ok: false, reason: 'check_failed' })
      }),
    )
    fc.assert(
      fc.property(data(12), fc.nat(10), (body, position) => {
        const code = body + checkSymbol(body)
        const swapped =
          code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2)
        fc.pre(swapped !== code)
        expect(readLetterCode(swapped)).toEqual({ ok: false, reason: 'check_failed' })
      }),
    )
  })

  it('call anything of the wrong length or alphabet malformed', () => {
    for (const typed of ['', 'K7QD-9M2X-4HTR', 'K7QD-9M2X-4HTR-ZZ', 'K7QD-9M2X-4HTU-Z', 'ｶﾀｶﾅ']) {
      expect(readLetterCode(typed)).toEqual({ ok: false, reason: 'malformed' })
    }
  })
})

describe('message references', () => {
  it('have a shape of their own and read back with or without their prefix', () => {
    const reference = newMessageReference()
    expect(reference.printed).toMatch(/^R-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/)
    expect(readMessageReference(reference.printed)).toBe(reference.canonical)
    expect(readMessageReference(reference.printed.slice(2).toLowerCase())).toBe(reference.canonical)
    expect(readMessageReference(newLetterCode().printed)).toBeUndefined()
  })

  it('refuse a reference with one wrong symbol', () => {
    fc.assert(
      fc.property(data(9), fc.nat(8), fc.constantFrom(...SYMBOLS), (body, position, replacement) => {
        const canonical = body + checkSymbol(body)
        const typo = canonical.slice(0, position) + replacement + canonical.slice(position + 1)
        fc.pre(typo !== canonical)
        expect(readMessageReference(`R-${typo}`)).toBeUndefined()
      }),
    )
  })
})
