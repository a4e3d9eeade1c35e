/**
 * How each exposed value is shown on the exposure page: enough for the person
 * to recognise it as theirs, too little to be of use to anyone reading over
 * their shoulder or finding the printed page. Pure; each returns null when
 * there is nothing it can safely show. Stars are a fixed run, so a mask never
 * tells how long the hidden part is.
 */

const STARS = '***'
const ELLIPSIS = '…'

/** Full-width digits and Latin folded to ASCII, as the importer stores them. */
const fold = (value: string) => value.normalize('NFKC').trim()

const digitsOf = (value: string) => fold(value).replace(/\D/g, '')

const SPACE_OR_HYPHEN = /[\s-]/

/** Without trailing white space and hyphens; a loop, since `/[\s-]+$/` is quadratic on a long run of them. */
function trimSpacesAndHyphensEnd(value: string) {
  let end = value.length
  while (end > 0 && SPACE_OR_HYPHEN.test(value.charAt(end - 1))) end--
  return value.slice(0, end)
}

/** The first character, a whole code point (𠮷 is one character, not two halves). */
const firstCharacter = (value: string) => Array.from(value)[0] ?? ''

/**
 * The end of a value that may be shown: at most `max` characters, and never
 * more than half of it, so a short value is not shown nearly whole.
 */
function tailOf(value: string, max: number) {
  const characters = Array.from(value)
  const length = Math.min(max, Math.floor(characters.length / 2))
  return length > 0 ? characters.slice(-length).join('') : ''
}

/** `taro@example.co.jp` → `t***@example.co.jp`; a one-character local part shows none of it. */
export function maskEmail(value: string | undefined): string | null {
  if (!value) return null
  const email = fold(value)
  const at = email.lastIndexOf('@')
  if (at < 1 || at === email.length - 1) return null
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  const shown = Array.from(local).length > 1 ? firstCharacter(local) : ''
  return `${shown}${STARS}@${domain}`
}

/** Any stored form (`09012345678`, `090-1234-5678`, `＋81 90…`) → `***-****-5678`. */
export function maskPhone(value: string | undefined): string | null {
  if (!value) return null
  const tail = tailOf(digitsOf(value), 4)
  return tail ? `***-****-${tail}` : null
}

export type AddressParts = {
  postalCode?: string
  prefecture?: string
  city?: string
  addressLine1?: string
  addressLine2?: string
}

/**
 * Down to the city: `東京都渋谷区`. The street and building are never shown.
 * A legacy city field that carries a street number loses everything from its
 * first digit. With neither prefecture nor city, the postal code's first three
 * digits (`〒150-****`) say the area; with none of those, nothing is shown.
 */
export function maskAddress(address: AddressParts): string | null {
  const prefecture = address.prefecture ? fold(address.prefecture) : ''
  const city = address.city ? trimSpacesAndHyphensEnd(fold(address.city).split(/\d/)[0] ?? '') : ''
  const area = `${prefecture}${city}`.trim()
  if (area) return area
  const postal = address.postalCode ? digitsOf(address.postalCode) : ''
  return postal.length === 7 ? `〒${postal.slice(0, 3)}-****` : null
}

/** `MM/YY` (as stored), `MM/YYYY`, `YYYY-MM` or `YYYY/MM` → `MM/YY`; anything else → undefined. */
function expiryOf(value: string | undefined) {
  if (!value) return undefined
  const folded = fold(value).replace(/\s/g, '')
  const monthFirst = folded.match(/^(\d{1,2})\/(\d{2}|\d{4})$/)
  const yearFirst = folded.match(/^(\d{4})[-/](\d{1,2})$/)
  const [month, year] = monthFirst
    ? [Number(monthFirst[1]), monthFirst[2] ?? '']
    : yearFirst
      ? [Number(yearFirst[2]), yearFirst[1] ?? '']
      : [0, '']
  if (month < 1 || month > 12) return undefined
  return `${String(month).padStart(2, '0')}/${year.slice(-2)}`
}

/**
 * `{ last4: '1234', expiry: '12/27' }` → `**** 1234, 12/27`. Only the last
 * four digits ever show, whatever was stored; an unreadable expiry is left out.
 */
export function maskCard(card: { last4?: string; expiry?: string }): string | null {
  const last4 = card.last4 ? digitsOf(card.last4).slice(-4) : ''
  const expiry = expiryOf(card.expiry)
  if (!last4 && !expiry) return null
  const number = `**** ${last4 || '****'}`
  return expiry ? `${number}, ${expiry}` : number
}

/** `1985-04-01` (or `1985/4/1`) → `1985`: the year only. */
export function maskBirthDate(value: string | undefined): string | null {
  if (!value) return null
  return fold(value).match(/^(\d{4})(?:\D|$)/)?.[1] ?? null
}

/**
 * Any ID of a record (member, buyer, employee, warehouse staff):
 * `yb_ABC123456` → `…3456`, its last four characters, and never more than half
 * of a short one (`E00001` → `…001`).
 */
export function maskIdentifier(value: string | undefined): string | null {
  if (!value) return null
  const tail = tailOf(fold(value).replace(/\s/g, ''), 4)
  return tail ? `${ELLIPSIS}${tail}` : null
}

export type NameParts = {
  familyName?: string
  givenName?: string
  familyNameKana?: string
  givenNameKana?: string
}

/**
 * `見本 花子` → `見*** 花***`: the first character of each part; a one-character part (`森`)
 * shows nothing of itself (`***`), since its first character is the whole name.
 *
 * Why not the name in full, when the person has just proved who they are? The
 * page is made to be printed and is read on phones in trains and on shared
 * screens: the name is what ties every other value on it to one person, and
 * the person does not need to be told their own name. Why not hide it
 * entirely? They need to tell which record is which (a maiden name, a typo
 * in the old shop's data), and the initials do that. Kana stand in for a
 * part the record holds only in kana.
 */
export function maskName(name: NameParts): string | null {
  const parts = [name.familyName ?? name.familyNameKana, name.givenName ?? name.givenNameKana]
    .map((part) => (part ? fold(part).replace(/\s/g, '') : ''))
    .filter((part) => part.length > 0)
    .map((part) => `${Array.from(part).length > 1 ? firstCharacter(part) : ''}${STARS}`)
  return parts.length > 0 ? parts.join(' ') : null
}
