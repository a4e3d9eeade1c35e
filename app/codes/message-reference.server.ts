import { canonicalSymbols, checkSymbol, randomSymbolsWithPlainCheck } from './crockford'

/**
 * The reference on every e-mail and postcard, so anyone holding one can ask
 * the portal whether it really came from us: `R-` and 9 random Crockford
 * symbols (45 bits) with a check symbol, shown as `R-7Q4D9-M2X4H`. A shape of
 * its own, so it is never mistaken for a letter code.
 */
const DATA_SYMBOLS = 9
const PREFIX = 'R'

export type MessageReference = { canonical: string; printed: string }

export function newMessageReference(): MessageReference {
  const data = randomSymbolsWithPlainCheck(DATA_SYMBOLS)
  const canonical = data + checkSymbol(data)
  return { canonical, printed: `${PREFIX}-${canonical.slice(0, 5)}-${canonical.slice(5)}` }
}

/** A typed reference, with or without its `R-`; undefined when it cannot be one of ours. */
export function readMessageReference(typed: string): string | undefined {
  const all = canonicalSymbols(typed, { withCheck: true })
  const symbols = all?.length === DATA_SYMBOLS + 2 && all.startsWith(PREFIX) ? all.slice(1) : all
  if (!symbols || symbols.length !== DATA_SYMBOLS + 1) return undefined
  return checkSymbol(symbols.slice(0, DATA_SYMBOLS)) === symbols.slice(DATA_SYMBOLS) ? symbols : undefined
}
