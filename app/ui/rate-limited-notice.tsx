import { useTranslation } from 'react-i18next'
import { dateFormat } from '~/i18n/date-format'
import { SupportContact } from '~/ui/support-contact'

/**
 * Shown instead of a form's answer when a limit refused the request (see
 * `tooManyRequests`): when to come back, in Japan time and the page language.
 * Date and time are formatted apart and joined by the translation, so the
 * server and every browser write them the same way. Whom to ask, if it cannot
 * wait, is said right there.
 */
export function RateLimitedNotice({ retryAt }: { retryAt: string }) {
  const { t, i18n } = useTranslation()
  const moment = new Date(retryAt)
  const date = dateFormat(i18n.language, { year: 'numeric', month: 'long', day: 'numeric' }).format(moment)
  const time = dateFormat(i18n.language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    moment,
  )
  return (
    <p className="callout rate-limited" role="alert">
      {t('rateLimited.message', { time: t('rateLimited.dateTime', { date, time }) })}
      {/* Japanese sentences follow each other without a space. */}
      {i18n.language === 'ja' ? null : ' '}
      <SupportContact inline />
    </p>
  )
}
