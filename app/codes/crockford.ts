import { randomInt } from 'node:crypto'

/**
 * Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand
 * has no look-alikes, and a check symbol (mod 37) catches any single wrong
 * character and any swap of two neighbours before anything is looked up.
 */
const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHECK_SYMBOLS = `${SYMBOLS}*~$=U`

// Hyphens, dashes, long-sound marks and white space people put between groups.
const SEPARATORS = /[\s\u3000\-‐‑‒–—―−－ーｰ─━_.]/g
// Longer than any code typed with spaces between every symbol: refused before it is folded.
const LONGEST_TYPED = 256

/** `count` symbols from the CSPRNG. */
export function randomSymbols(count: number) {
  let symbols = ''
  for (let i = 0; i < count; i++) symbols += SYMBOLS[randomInt(32)]
  return symbols
}

/**
 * `count` random symbols whose check symbol is one of the 32 plain ones, so
 * nobody has to find `*`, `~`, `$`, `=` or `U` on a phone keyboard. Redrawing
 * the 5 in 37 that would need one costs a fifth of a bit.
 */
export function randomSymbolsWithPlainCheck(count: number) {
  for (;;) {
    const symbols = randomSymbols(count)
    if (SYMBOLS.includes(checkSymbol(symbols))) return symbols
  }
}

export function checkSymbol(symbols: string) {
  let remainder = 0
  for (const symbol of symbols) remainder = (remainder * 32 + SYMBOLS.indexOf(symbol)) % 37
  return CHECK_SYMBOLS[remainder] as string
}

/**
 * What a person typed, as canonical symbols: full-width folded, case ignored,
 * separators dropped, and Crockford's decoding of look-alikes (I and L are 1,
 * O is 0). Undefined when something else is left.
 */
export function canonicalSymbols(typed: string, { withCheck }: { withCheck: boolean }) {
  if (typed.length > LONGEST_TYPED) return undefined
  const folded = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(SEPARATORS, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0')
  const body = withCheck ? folded.slice(0, -1) : folded
  if (!/^[0-9A-HJKMNP-TV-Z]*$/.test(body)) return undefined
  if (withCheck && !CHECK_SYMBOLS.includes(folded.slice(-1))) return undefined
  return folded
}

/** Symbols in groups of `size`, joined by hyphens. */
export function grouped(symbols: string, size: number) {
  return symbols.match(new RegExp(`.{1,${size}}`, 'g'))?.join('-') ?? ''
}
