import { intlLocale } from './config'

const formats = new Map<string, Intl.DateTimeFormat>()

/**
 * An `Intl.DateTimeFormat` for a language, in Japan's time zone, made once and
 * reused: building one costs far more than formatting with it, and pages
 * format dates on every render.
 */
export function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language} ${JSON.stringify(options)}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(intlLocale(language), { timeZone: 'Asia/Tokyo', ...options })
    formats.set(key, format)
  }
  return format
}

const JAPAN_OFFSET_MS = 9 * 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * When a calendar day (`2026-02-10`, as a date input gives it) begins in
 * Japan, in epoch milliseconds; undefined when it is no real date (Japan has
 * kept +09:00 all year since 1951, so no day is longer or shorter). Pass
 * values already bounded in length: the pattern runs on them.
 */
export function japanDayStart(date: string): number | undefined {
  const match = CALENDAR_DATE.exec(date)
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const utc = Date.UTC(year, month - 1, day)
  const back = new Date(utc)
  // Date.UTC rolls 2026-02-30 over into March; a real date reads back as itself.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined
  }
  return utc - JAPAN_OFFSET_MS
}

/** When the day after a calendar day begins in Japan: the exclusive end of a "to" date. */
export function japanDayEnd(date: string): number | undefined {
  const start = japanDayStart(date)
  return start === undefined ? undefined : start + DAY_MS
}

/** A moment as ISO 8601 in Japan time, `2026-02-10T13:00:00.000+09:00`: unambiguous in a file read anywhere. */
export function japanIsoTime(at: number): string {
  return `${new Date(at + JAPAN_OFFSET_MS).toISOString().slice(0, -1)}+09:00`
}

/** Today's calendar date in Japan, `2026-02-10`. */
export function japanDate(at: number): string {
  return new Date(at + JAPAN_OFFSET_MS).toISOString().slice(0, 10)
}
