import { useTranslation } from 'react-i18next'
import { dateFormat } from '~/i18n/date-format'

const FORMAT = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
} as const

/** A moment in Japan time, as the timeline and the status show it, with its machine-readable form. */
export function Moment({ at }: { at: number }) {
  const { i18n } = useTranslation()
  const date = new Date(at)
  return <time dateTime={date.toISOString()}>{dateFormat(i18n.language, FORMAT).format(date)}</time>
}
