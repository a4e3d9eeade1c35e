import { useTranslation } from 'react-i18next'
import { intlLocale } from '~/i18n/config'

const TIME_ZONE = 'Asia/Tokyo'

/**
 * Shown instead of a form's answer when a limit refused the request (see
 * `tooManyRequests`): when to come back, in Japan time and the page language.
 * Date and time are formatted apart and joined by the translation, so the
 * server and every browser write them the same way.
 */
export function RateLimitedNotice({ retryAt }: { retryAt: string }) {
  const { t, i18n } = useTranslation()
  const locale = intlLocale(i18n.language)
  const moment = new Date(retryAt)
  const date = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: TIME_ZONE,
  }).format(moment)
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: TIME_ZONE,
  }).format(moment)
  return (
    <p className="callout rate-limited" role="alert">
      {t('rateLimited.message', { time: t('rateLimited.dateTime', { date, time }) })}
    </p>
  )
}
