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
