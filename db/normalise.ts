/**
 * The canonical forms personal values are matched in. Legacy exports and what
 * people type both arrive with full-width characters, every kind of hyphen and
 * stray spaces; one value must always give one form, or a blind index misses.
 */

// Hyphens, dashes, minus signs and the long-sound marks legacy systems typed in numbers.
const DASHES = /[-‐‑‒–—―−－ーｰ─━]/g
const SPACES = /[\s\u3000]+/g
// What normaliseText replaces: runs of white space, and any lone one but a plain space (which
// stays as it is), so that text with many single spaces is not rebuilt once per space.
const SPACES_TO_COLLAPSE = /[\s\u3000]{2,}|[^\S ]/g

/**
 * Each normaliser refuses a value far longer than any valid one before it
 * folds or matches anything: form fields and legacy CSV cells can be 64 KiB,
 * and no valid phone number, code or name needs more than these.
 */
const LONGEST = {
  phone: 64,
  postalCode: 32,
  // An address is at most 254 once folded; the rest is room for surrounding spaces.
  email: 1024,
  kana: 512,
  identifier: 256,
  dateTime: 64,
  gender: 16,
  cardLast4: 32,
  cardExpiry: 32,
} as const

/** NFKC folds full-width digits and Latin to ASCII and half-width kana to full-width. */
export function fold(value: string) {
  return value.normalize('NFKC').trim()
}

/** A Japanese phone number as its digits from the leading 0: `09012345678`. */
export function normalisePhone(value: string): string | undefined {
  if (value.length > LONGEST.phone) return undefined
  let digits = fold(value).replace(DASHES, '').replace(SPACES, '').replace(/[().]/g, '')
  if (digits.startsWith('+81')) digits = `0${digits.slice(3).replace(/^0/, '')}`
  else if (digits.startsWith('0081')) digits = `0${digits.slice(4).replace(/^0/, '')}`
  return /^0\d{9,10}$/.test(digits) ? digits : undefined
}

/**
 * Numbers whose grouping follows from their first digits alone: mobiles and IP
 * phones (3-4-4; an 11-digit 080 number is read as a mobile, never as 0800 free
 * dial, which no customer registers as their own), free dial and navi dial
 * (4-3-3), and Tokyo and Osaka, whose area code is one digit after the 0 (2-4-4).
 */
const PHONE_GROUPS: readonly [RegExp, readonly number[]][] = [
  [/^0[25-9]0\d{8}$/, [3, 4, 4]],
  [/^0(120|570|990)\d{6}$/, [4, 3, 3]],
  [/^0[36]\d{8}$/, [2, 4, 4]],
]

/**
 * A phone number as people write it: `090-0000-0001`, `06-0000-0002`,
 * `03-1234-5678`, from any stored form (`09000000001`, `＋81 90…`, full-width).
 * Other landlines have area codes of two to five digits that only the national
 * numbering plan tells apart (011 Sapporo, 0123 Chitose), so they keep the
 * grouping they were stored with when it is a whole one (`0422-12-3456`), and
 * are otherwise shown as their digits rather than grouped wrongly. A value that
 * is no Japanese number is shown as stored, trimmed.
 */
export function displayPhone(value: string): string {
  const digits = normalisePhone(value)
  if (!digits) return fold(value)
  for (const [pattern, sizes] of PHONE_GROUPS) {
    if (!pattern.test(digits)) continue
    let start = 0
    return sizes
      .map((size) => {
        start += size
        return digits.slice(start - size, start)
      })
      .join('-')
  }
  const stored = fold(value)
    .split(/[^\d]+/)
    .filter(Boolean)
  // `+81 422-12-3456`: the country code goes, and the area code gets its 0 back.
  if (/^(\+|00)81/.test(fold(value).replace(SPACES, '')) && stored.length > 1) {
    stored.shift()
    if (stored[0] === '0' && stored.length > 1) stored.shift()
    stored[0] = `0${(stored[0] ?? '').replace(/^0/, '')}`
  }
  const whole =
    stored.length === 3 && stored.join('') === digits && stored[0]?.startsWith('0') && stored[2]?.length === 4
  return whole ? stored.join('-') : digits
}

/** A postal code as its 7 digits, with or without 〒 and hyphen. */
export function normalisePostalCode(value: string): string | undefined {
  if (value.length > LONGEST.postalCode) return undefined
  const digits = fold(value).replace(/^〒/, '').replace(DASHES, '').replace(SPACES, '')
  return /^\d{7}$/.test(digits) ? digits : undefined
}

const WHITE_SPACE = /\s/

/**
 * An e-mail address as it is matched: folded, trimmed, lower-cased. Read
 * without a backtracking pattern (the one it replaces took seconds on 64 KiB):
 * one `@` with something before it, no white space, and a domain with a dot
 * that is not at either end; at most 254 characters.
 */
export function normaliseEmail(value: string): string | undefined {
  if (value.length > LONGEST.email) return undefined
  const email = fold(value).toLowerCase()
  if (email.length > 254 || WHITE_SPACE.test(email)) return undefined
  const at = email.indexOf('@')
  if (at < 1 || at !== email.lastIndexOf('@')) return undefined
  const domain = email.slice(at + 1)
  const dot = domain.indexOf('.', 1)
  return dot > 0 && dot < domain.length - 1 ? email : undefined
}

/** An e-mail address as it is shown: trimmed and folded, its case kept. */
export function displayEmail(value: string) {
  return fold(value)
}

/** Katakana for matching: hiragana and half-width kana become full-width katakana, spaces go. */
export function normaliseKana(value: string): string | undefined {
  if (value.length > LONGEST.kana) return undefined
  const kana = fold(value)
    .replace(SPACES, '')
    .replace(/[\u3041-\u3096\u309d\u309e]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0x60))
  return /^[\u30a1-\u30ff]+$/.test(kana) ? kana : undefined
}

/** Free text (names, address parts) as shown: trimmed, each run of white space one space. */
export function normaliseText(value: string) {
  return value.trim().replace(SPACES_TO_COLLAPSE, ' ')
}

/** A legacy identifier: folded, spaces removed, upper-cased for matching. */
export function normaliseIdentifier(value: string): string | undefined {
  if (value.length > LONGEST.identifier) return undefined
  const id = fold(value).replace(SPACES, '').replace(DASHES, '-').toUpperCase()
  return id.length > 0 && id.length <= 64 ? id : undefined
}

export type CalendarDate = { year: number; month: number; day: number }

const JAPAN_UTC_OFFSET_HOURS = 9
const DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/

/**
 * A legacy date (`YYYY-MM-DD`, `YYYY/MM/DD` or `YYYY/M/D`, optionally with a
 * time), refused when the day does not exist. Times are Japan time.
 */
export type TimePrecision = 'day' | 'minute' | 'second'

export function parseLegacyDateTime(
  value: string,
): { date: CalendarDate; epochMs: number; precision: TimePrecision } | undefined {
  if (value.length > LONGEST.dateTime) return undefined
  const match = fold(value).replace(SPACES, ' ').match(DATE_TIME)
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const date = { year, month, day }
  if (!isRealDate(date) || hour > 23 || minute > 59 || second > 59) return undefined
  const precision: TimePrecision =
    match[6] !== undefined ? 'second' : match[4] !== undefined ? 'minute' : 'day'
  return {
    date,
    epochMs: Date.UTC(year, month - 1, day, hour - JAPAN_UTC_OFFSET_HOURS, minute, second),
    precision,
  }
}

/** A date as `YYYY-MM-DD`. */
export function formatIsoDate({ year, month, day }: CalendarDate) {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function isRealDate({ year, month, day }: CalendarDate) {
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
}

export const GENDER_CODES = [0, 1, 2, 9] as const
export type GenderCode = (typeof GENDER_CODES)[number]

/** ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable; empty means 0. */
export function normaliseGender(value: string): GenderCode | undefined {
  if (value.length > LONGEST.gender) return undefined
  const folded = fold(value)
  if (folded === '') return 0
  const code = Number(folded)
  return (GENDER_CODES as readonly number[]).includes(code) ? (code as GenderCode) : undefined
}

/** A card's last four digits. */
export function normaliseCardLast4(value: string): string | undefined {
  if (value.length > LONGEST.cardLast4) return undefined
  const digits = fold(value).replace(SPACES, '')
  return /^\d{4}$/.test(digits) ? digits : undefined
}

/** A card expiry `MM/YY` with a real month. */
export function normaliseCardExpiry(value: string): string | undefined {
  if (value.length > LONGEST.cardExpiry) return undefined
  const match = fold(value)
    .replace(SPACES, '')
    .match(/^(\d{1,2})\/(\d{2})$/)
  if (!match) return undefined
  const month = Number(match[1])
  return month >= 1 && month <= 12 ? `${String(month).padStart(2, '0')}/${match[2]}` : undefined
}

const PRECISION_MS: Record<TimePrecision, number> = { day: 86_400_000, minute: 60_000, second: 1_000 }

/**
 * Orders two legacy moments at the coarser of their precisions, so that
 * `2022-05-06` is not before `2022-05-06 08:16`: a date without a time says
 * only which day.
 */
export function compareMoments(
  a: { epochMs: number; precision: TimePrecision },
  b: { epochMs: number; precision: TimePrecision },
) {
  const unit = Math.max(PRECISION_MS[a.precision], PRECISION_MS[b.precision])
  const offset = JAPAN_UTC_OFFSET_HOURS * 3_600_000
  return Math.floor((a.epochMs + offset) / unit) - Math.floor((b.epochMs + offset) / unit)
}
