import { useTranslation } from 'react-i18next'
import { dateFormat as cachedDateFormat } from '~/i18n/date-format'
import type { When } from '~/incident/incident-facts'

/** A calendar date (`2026-02-10`) or a moment (`2026-02-10T13:00+09:00`). */
const toDate = (iso: string) => new Date(iso)

/**
 * Dates and times of the incident in the reader's language: 2026年2月10日 13:00
 * or 10 February 2026, 13:00. Date and time are formatted apart and joined by the
 * translation, and ranges are built by hand rather than with `formatRange`, so
 * the server and every browser write them the same way.
 */
export function useIncidentDates() {
  const { t, i18n } = useTranslation('incident')
  const dateFormat = cachedDateFormat(i18n.language, { year: 'numeric', month: 'long', day: 'numeric' })
  const dayFormat = cachedDateFormat(i18n.language, { day: 'numeric' })
  const timeFormat = cachedDateFormat(i18n.language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

  const date = (iso: string) => dateFormat.format(toDate(iso))

  const range = (from: string, to: string) => {
    const sameMonth = from.slice(0, 7) === to.slice(0, 7)
    const values = {
      from: date(from),
      to: date(to),
      fromDay: dayFormat.format(toDate(from)),
      toDay: dayFormat.format(toDate(to)),
    }
    return sameMonth ? t('dates.rangeSameMonth', values) : t('dates.range', values)
  }

  const when = (value: When) => {
    switch (value.kind) {
      case 'dateTime':
        return t('dates.dateTime', { date: date(value.at), time: timeFormat.format(toDate(value.at)) })
      case 'date':
        return date(value.date)
      case 'range':
        return range(value.from, value.to)
      case 'ongoing':
        return t('dates.ongoing', { from: date(value.from) })
    }
  }

  return { date, range, when }
}

/** The machine-readable form of a single date or moment, for `<time dateTime>`; none for spans. */
export function machineDate(value: When): string | undefined {
  if (value.kind === 'dateTime') return value.at
  if (value.kind === 'date') return value.date
  return undefined
}
