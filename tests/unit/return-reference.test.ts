import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readReturnNumber } from '~/returns/return-numbers'
import { newReturnReference, readReturnReference } from '~/returns/return-reference.server'

const SHAPE = /^RT-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/

describe('return references', () => {
  it('are RT- and ten Crockford symbols, and read back as printed', () => {
    for (let i = 0; i < 500; i++) {
      const reference = newReturnReference()
      expect(reference).toMatch(SHAPE)
      expect(readReturnReference(reference)).toBe(reference)
    }
  })

  it('read back however people copy them: lower case, full width, spaces, other dashes, no RT-', () => {
    const reference = newReturnReference()
    const symbols = reference.slice(3).replace('-', '')
    for (const typed of [
      reference.toLowerCase(),
      reference.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      `  ${reference.replaceAll('-', ' ')}  `,
      reference.replaceAll('-', 'ー'),
      symbols,
      symbols.replace(/1/g, 'l').replace(/0/g, 'O'),
    ])
      expect(readReturnReference(typed)).toBe(reference)
  })

  it('refuse any one symbol changed and any two neighbours swapped', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 31 }), (position, shift) => {
        const reference = newReturnReference()
        const symbols = reference.slice(3).replace('-', '')
        const at = symbols[position] as string
        const changed =
          symbols.slice(0, position) +
          alphabet[(alphabet.indexOf(at) + shift) % 32] +
          symbols.slice(position + 1)
        expect(readReturnReference(changed)).toBeUndefined()
        if (position < 9 && symbols[position] !== symbols[position + 1]) {
          const swapped =
            symbols.slice(0, position) +
            symbols[position + 1] +
            symbols[position] +
            symbols.slice(position + 2)
          expect(readReturnReference(swapped)).toBeUndefined()
        }
      }),
      { numRuns: 500 },
    )
  })

  it('refuse anything else, whatever its length, without running on it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (typed) => {
        const read = readReturnReference(typed)
        if (read !== undefined) expect(read).toMatch(SHAPE)
      }),
    )
    expect(readReturnReference('RT-'.padEnd(100_000, '0'))).toBeUndefined()
  })
})

describe('return numbers', () => {
  it('fold full-width digits, spaces and every kind of hyphen before the shape is checked', () => {
    expect(readReturnNumber('shipping', '１２３４－５６７８－９０１２')).toBe('123456789012')
    expect(readReturnNumber('shipping', '1234 5678 9012')).toBe('123456789012')
    expect(readReturnNumber('shipping', '1234ー5678‐9012')).toBe('123456789012')
    expect(readReturnNumber('order', 'sk-2026-0123-45')).toBe('SK2026012345')
  })

  it('refuse numbers of the wrong shape, and anything over the field bound unread', () => {
    expect(readReturnNumber('shipping', '12-34')).toBeUndefined()
    expect(readReturnNumber('shipping', 'ABCD12345678')).toBeUndefined()
    expect(readReturnNumber('order', 'ABCDEFGH12')).toBeUndefined()
    expect(readReturnNumber('shipping', '1'.repeat(65))).toBeUndefined()
  })
})
