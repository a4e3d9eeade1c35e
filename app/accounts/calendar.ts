import { type CalendarDate, formatIsoDate, parseLegacyDateTime } from '~db/normalise'

/**
 * Dates as the registration details use them: a member's age on Japan's
 * today, and a stored or typed date as the form shows it. Shared with the browser.
 */

/** Today's date in Japan, which decides how old a member is. */
export function japanToday(now: Date = new Date()): CalendarDate {
  const japan = new Date(now.getTime() + 9 * 3_600_000)
  return { year: japan.getUTCFullYear(), month: japan.getUTCMonth() + 1, day: japan.getUTCDate() }
}

/** Whole years from a birth date to a day; negative when born after it. */
export function ageOn(birth: CalendarDate, today: CalendarDate): number {
  const beforeBirthday = today.month < birth.month || (today.month === birth.month && today.day < birth.day)
  return today.year - birth.year - (beforeBirthday ? 1 : 0)
}

/** A date as the legacy data or a member wrote it (see `parseLegacyDateTime`) as `1985-04-01`; undefined if it is none. */
export function isoDateOf(value: string | undefined) {
  const parsed = value === undefined ? undefined : parseLegacyDateTime(value)
  return parsed ? formatIsoDate(parsed.date) : undefined
}

/**
 * What a typed date turned out to be: a real day, something written as a date that names no real
 * day (to be typed again, never counted as a wrong answer), or not a date at all (a phone number,
 * a staff ID).
 */
export type WrittenDate = { read: 'date'; iso: string } | { read: 'unreadable' } | { read: 'none' }

// No date is longer, however it is spaced: refused before it is folded or any pattern runs.
const LONGEST_WRITTEN_DATE = 64

// The year before each era's first (元年 is base + 1). Square forms (㍼) fold to these under NFKC.
const ERA_BASES: Record<string, number> = {
  令和: 2018,
  平成: 1988,
  昭和: 1925,
  大正: 1911,
  明治: 1867,
  R: 2018,
  H: 1988,
  S: 1925,
  T: 1911,
  M: 1867,
}

const KANJI_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}
const KANJI_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 }
const KANJI_NUMBER = /[〇零一二三四五六七八九十百千]+/g

/**
 * `十四` → 14, `三十一` → 31, `千九百八十五` → 1985 (with 十, 百, 千), and `二〇〇一` → 2001,
 * `一九八五` → 1985 (digit by digit, as years are often written).
 */
function kanjiNumber(run: string) {
  const characters = [...run]
  if (!characters.some((character) => character in KANJI_UNITS)) {
    return characters.map((character) => KANJI_DIGITS[character]).join('')
  }
  let total = 0
  let pending = 0
  for (const character of characters) {
    const unit = KANJI_UNITS[character]
    if (unit === undefined) pending = pending * 10 + (KANJI_DIGITS[character] ?? 0)
    else {
      total += (pending || 1) * unit
      pending = 0
    }
  }
  return String(total + pending)
}

const WESTERN_EIGHT = /^(\d{4})(\d{2})(\d{2})$/
const WESTERN_KANJI = /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/
const WESTERN_SEPARATED = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/
const ERA_DATE =
  /^(令和|平成|昭和|大正|明治|[RHSTM])(元|\d{1,2})(?:年|[.\-/])(\d{1,2})(?:月|[.\-/])(\d{1,2})日?$/i
// Written as a date, whether or not it names a day: a date's characters, an era, or year-month-day
// and day-month-year shapes, too short to be a phone number (0467-22-1234 is one). A staff ID has
// none of these.
const DATE_SHAPED =
  /[年月日]|令和|平成|昭和|大正|明治|^[RHSTM]?\d{1,4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$/i

/**
 * A birth date as people write it: `1985-04-01`, `1985/4/1`, `19850401`, `1985年4月1日`,
 * `昭和60年4月1日`, `S60.4.1`, `平成元年1月8日`, in kanji numerals (`昭和十四年四月五日`,
 * `二〇〇一年十二月三日`), full-width, spaced, with `生` or `生まれ` after it.
 */
export function readWrittenDate(typed: string): WrittenDate {
  if (typed.length > LONGEST_WRITTEN_DATE) return { read: 'none' }
  const compact = typed.normalize('NFKC').replace(/\s+/g, '')
  const withoutBorn = compact.replace(/(生まれ|生れ|生)$/, '')
  const written = withoutBorn.replace(KANJI_NUMBER, kanjiNumber)
  const iso = dayOf(written)
  if (iso) return { read: 'date', iso }
  return withoutBorn !== compact || DATE_SHAPED.test(written) ? { read: 'unreadable' } : { read: 'none' }
}

function dayOf(written: string) {
  const era = written.match(ERA_DATE)
  if (era) {
    const [, name = '', year = '', month = '', day = ''] = era
    const base = ERA_BASES[name.toUpperCase()] ?? ERA_BASES[name]
    if (base === undefined) return undefined
    return isoDateOf(`${base + (year === '元' ? 1 : Number(year))}-${month}-${day}`)
  }
  const parts =
    written.match(WESTERN_EIGHT) ?? written.match(WESTERN_KANJI) ?? written.match(WESTERN_SEPARATED)
  return parts ? isoDateOf(`${parts[1]}-${parts[2]}-${parts[3]}`) : undefined
}
