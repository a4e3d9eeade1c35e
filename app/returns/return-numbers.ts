/**
 * The numbers a return is found by, read one way everywhere: the shipping
 * management number (発送管理番号) printed under the barcode on the outer
 * box's label, and, for goods that arrived before 10 February and could not
 * be sent back while the site was down, the order number from the order
 * e-mail. People copy them with full-width digits, spaces and every kind of
 * hyphen; all of that is folded away before the shape is checked.
 */

export type ReturnNumberKind = 'shipping' | 'order'

/** Longest value read at all: room for a number typed with spaces or hyphens between every digit. */
export const RETURN_NUMBER_FIELD_MAX = 64

const SEPARATORS = /[\s\u3000\-‐‑‒–—―−－ーｰ_.#＃]/g

const SHAPES: Record<ReturnNumberKind, RegExp> = {
  // 10 to 14 digits, as carriers' labels print them.
  shipping: /^\d{10,14}$/,
  // 8 to 20 letters and digits, at least 6 of them digits.
  order: /^(?=(?:[A-Z]*\d){6})[A-Z0-9]{8,20}$/,
}

/** The number in canonical form (half-width, upper case, no separators), or undefined if it has the wrong shape. */
export function readReturnNumber(kind: ReturnNumberKind, typed: string): string | undefined {
  if (typed.length > RETURN_NUMBER_FIELD_MAX) return undefined
  const folded = typed.normalize('NFKC').toUpperCase().replace(SEPARATORS, '')
  return SHAPES[kind].test(folded) ? folded : undefined
}
