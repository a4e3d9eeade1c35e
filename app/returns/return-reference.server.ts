import { canonicalSymbols, checkSymbol, randomSymbolsWithPlainCheck } from '~/codes/crockford'

/**
 * A return request's reference, on screen and in every e-mail about it:
 * `RT-` and 9 random Crockford symbols (45 bits) with a check symbol, shown
 * as `RT-7Q4D9-M2X4H`. Random, so it says nothing about how many requests
 * there are; the check symbol catches a mistyped one before any lookup.
 */
const DATA_SYMBOLS = 9
const PREFIX = 'RT'

export function newReturnReference(): string {
  const data = randomSymbolsWithPlainCheck(DATA_SYMBOLS)
  return printed(data + checkSymbol(data))
}

/** A typed reference, with or without its `RT-`, as printed; undefined when it cannot be one. */
export function readReturnReference(typed: string): string | undefined {
  const all = canonicalSymbols(typed, { withCheck: true })
  // `RT` folds to `RT` (no look-alikes in it); drop it when present.
  const symbols = all?.length === DATA_SYMBOLS + 3 && all.startsWith(PREFIX) ? all.slice(2) : all
  if (!symbols || symbols.length !== DATA_SYMBOLS + 1) return undefined
  if (checkSymbol(symbols.slice(0, DATA_SYMBOLS)) !== symbols.slice(DATA_SYMBOLS)) return undefined
  return printed(symbols)
}

const printed = (symbols: string) => `${PREFIX}-${symbols.slice(0, 5)}-${symbols.slice(5)}`
