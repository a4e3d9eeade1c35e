import type { ValueKind } from './columns'
import type { Rng } from './prng'
import { toFullWidth, toHalfWidthKana } from './width'

/**
 * What --messy does: it makes the files look like a real legacy export, deterministically per seed,
 * without changing who the people are (the messiness has its own random stream).
 *
 * Per file (each flag on some files but never all or none of them, see layout.ts):
 *   - a UTF-8 BOM (never in CP932), CRLF line ends, columns in a shuffled order, and an unknown
 *     extra column `legacy_flag` ("0", "1" or empty) that the importer must ignore.
 * Per row: about half the rows are messy; in those, each value below is rewritten with even odds.
 *   - IDs: full-width letters and digits (Ｍ１２３４５６７８).
 *   - dates and times: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY/M/D`, with or without the time (`H:MM`,
 *     `HH:MM:SS`), sometimes in full-width digits.
 *   - kana: half-width katakana (ｻﾄｳ).
 *   - e-mails: upper case (all or capitalised) and surrounding spaces, sometimes full-width letters.
 *   - phones: every hyphen kind (-, ー, −, ‐, －; − only in UTF-8, CP932 cannot hold it), spaces
 *     instead of hyphens, no separators, `+81 90-1234-5678` forms, full-width digits.
 *   - postal codes: with or without 〒 and the hyphen, hyphen kinds, full-width digits.
 *   - address line 1: hyphen kinds and full-width digits (1ー2ー3).
 *   - address line 2: commas, double quotes and an embedded line break, which RFC 4180 quoting keeps.
 *   - card numbers and expiry: full-width digits.
 * Rows the importer must reject, about one in a thousand per file (see rejects.ts).
 * Demo personas are never made messy: the README quotes them as they are.
 */

export const ROW_MESSY_SHARE = 0.5
const VALUE_MESSY_SHARE = 0.5

export interface MessyOptions {
  /** The hyphen look-alikes the output encoding can hold. */
  hyphens: readonly string[]
}

export function messyOptionsFor(encoding: 'utf8' | 'cp932'): MessyOptions {
  const hyphens = ['-', 'ー', '‐', '－']
  return { hyphens: encoding === 'utf8' ? [...hyphens, '−'] : hyphens }
}

function maybeFullWidth(text: string, rng: Rng): string {
  return rng.chance(0.35) ? toFullWidth(text) : text
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/

/** Rewrites `YYYY-MM-DD[ HH:MM:SS]` in one of the legacy forms. */
function messyDate(value: string, rng: Rng): string {
  const match = DATE_TIME.exec(value)
  if (!match) return value
  const [, year, month, day, hour, minute, second] = match as unknown as string[]
  const unpadded = rng.chance(0.4)
  const separator = unpadded || rng.chance(0.6) ? '/' : '-'
  const md = unpadded ? [Number(month), Number(day)] : [month, day]
  const date = `${year}${separator}${md[0]}${separator}${md[1]}`
  if (hour === undefined || rng.chance(0.3)) return maybeFullWidth(date, rng)
  const time = rng.chance(0.5) ? `${Number(hour)}:${minute}` : `${hour}:${minute}:${second}`
  return maybeFullWidth(`${date} ${time}`, rng)
}

function messyEmail(value: string, rng: Rng): string {
  const r = rng.next()
  let email = value
  if (r < 0.3) email = value.toUpperCase()
  else if (r < 0.6)
    email = value.replace(/(^|[._@])([a-z])/g, (_, before: string, ch: string) => before + ch.toUpperCase())
  else if (r < 0.75) email = toFullWidth(value)
  return rng.chance(0.5) ? `${rng.pick([' ', '  ', '\u3000'])}${email}${rng.pick(['', ' ', '  '])}` : email
}

function messyPhone(value: string, rng: Rng, options: MessyOptions): string {
  const groups = value.split('-')
  const r = rng.next()
  let phone: string
  if (r < 0.2) {
    // +81: the trunk 0 goes; the rest keeps its groups
    const national = [(groups[0] as string).slice(1), ...groups.slice(1)]
    phone = `+81${rng.pick([' ', '-', ''])}${national.join(rng.pick(['-', ' ', '']))}`
  } else if (r < 0.4) phone = groups.join(rng.pick([' ', '', ' - ']))
  else phone = groups.join(rng.pick(options.hyphens))
  return maybeFullWidth(phone, rng)
}

function messyPostal(value: string, rng: Rng, options: MessyOptions): string {
  const [head, tail] = value.split('-')
  const joined = `${head}${rng.chance(0.3) ? '' : rng.pick(options.hyphens)}${tail}`
  const prefix = rng.pick(['', '〒', '〒', '〒 '])
  return prefix + maybeFullWidth(joined, rng)
}

function messyLine1(value: string, rng: Rng, options: MessyOptions): string {
  const hyphen = rng.pick(options.hyphens)
  return maybeFullWidth(value.replaceAll('-', hyphen), rng)
}

const NOTES = ['山田様方', '裏口', '不在時は宅配ボックス', '管理人室経由']

/** Commas, quotes and a line break: the values that only survive with RFC 4180 quoting. */
function messyLine2(value: string, rng: Rng): string {
  const note = rng.pick(NOTES)
  switch (rng.int(4)) {
    case 0:
      return `${value}, ${note}`
    case 1:
      return `${value} "${note}"`
    case 2:
      return value.includes(' ') ? value.replace(' ', '\n') : `${value}\n${note}`
    default:
      return `"${value}",\n${note}`
  }
}

/** A value as the legacy system might have stored it; empty values stay empty. */
export function messyValue(args: {
  kind: ValueKind
  value: string
  rng: Rng
  options: MessyOptions
}): string {
  const { kind, value, rng, options } = args
  if (kind === 'plain' || value === '' || !rng.chance(VALUE_MESSY_SHARE)) return value
  switch (kind) {
    case 'id':
    case 'digits':
      return toFullWidth(value)
    case 'datetime':
    case 'date':
      return messyDate(value, rng)
    case 'kana':
      return toHalfWidthKana(value)
    case 'email':
      return messyEmail(value, rng)
    case 'phone':
      return messyPhone(value, rng, options)
    case 'postal':
      return messyPostal(value, rng, options)
    case 'line1':
      return messyLine1(value, rng, options)
    case 'line2':
      return messyLine2(value, rng)
  }
}
