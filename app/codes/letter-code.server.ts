import { canonicalSymbols, checkSymbol, grouped, randomSymbolsWithPlainCheck } from './crockford'

/**
 * The code printed on every notice: 12 random Crockford symbols (60 bits) and
 * a check symbol, shown as `K7QD-9M2X-4HTR-Z`. Stored only as a keyed hash of
 * its canonical form (the 13 symbols, no hyphens).
 */
const DATA_SYMBOLS = 12

export type LetterCode = { canonical: string; printed: string }

export function newLetterCode(): LetterCode {
  const data = randomSymbolsWithPlainCheck(DATA_SYMBOLS)
  const canonical = data + checkSymbol(data)
  return { canonical, printed: grouped(canonical, 4) }
}

export type TypedLetterCode =
  | { ok: true; canonical: string }
  | { ok: false; reason: 'malformed' | 'check_failed' }

/** Reads a typed code; a typo is caught by the check symbol before any lookup. */
export function readLetterCode(typed: string): TypedLetterCode {
  const symbols = canonicalSymbols(typed, { withCheck: true })
  if (!symbols || symbols.length !== DATA_SYMBOLS + 1) return { ok: false, reason: 'malformed' }
  const data = symbols.slice(0, DATA_SYMBOLS)
  if (checkSymbol(data) !== symbols.slice(DATA_SYMBOLS)) return { ok: false, reason: 'check_failed' }
  return { ok: true, canonical: symbols }
}
