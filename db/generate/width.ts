/** Character-width conversions legacy data is full of: full-width ASCII and half-width katakana. */

const FULL_WIDTH_OFFSET = 0xfee0

/** Digits and Latin letters to their full-width forms (１２３, ＡＢＣ); everything else unchanged. */
export function toFullWidth(text: string): string {
  const codes = new Array<number>(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const alphanumeric =
      (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
    codes[i] = alphanumeric ? code + FULL_WIDTH_OFFSET : code
  }
  return String.fromCharCode(...codes)
}

const VOICED_MARKS: Record<string, string> = { '\u3099': '\uff9e', '\u309a': '\uff9f' }

/** Built from Unicode itself: NFKC maps each half-width katakana to the full-width one it stands for. */
function halfWidthTable(): Map<string, string> {
  const table = new Map<string, string>()
  for (let code = 0xff66; code <= 0xff9d; code++) {
    const half = String.fromCharCode(code)
    table.set(half.normalize('NFKC'), half)
  }
  return table
}

const HALF_WIDTH = halfWidthTable()

/** Katakana to half-width katakana (ガ → ｶﾞ), as old terminals stored readings. */
export function toHalfWidthKana(text: string): string {
  let out = ''
  for (const ch of text.normalize('NFD')) out += HALF_WIDTH.get(ch) ?? VOICED_MARKS[ch] ?? ch
  return out
}
