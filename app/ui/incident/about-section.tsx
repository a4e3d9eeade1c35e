import { useTranslation } from 'react-i18next'
import { NOTICE_DATE } from '~/incident/incident-facts'
import { useIncidentDates } from './use-incident-dates'

/** Who issued the notice and when, and the closing apology. */
export function AboutSection() {
  const { t } = useTranslation('incident')
  const { date } = useIncidentDates()
  return (
    <section id="about" className="incident-section">
      <h2>{t('about.heading')}</h2>
      <p className="incident-issuer">
        <span className="incident-issuer__title">{t('about.title')}</span>
        <span>{t('about.issued', { date: date(NOTICE_DATE) })}</span>
        <span>{t('about.issuers.parent')}</span>
        <span>{t('about.issuers.operator')}</span>
      </p>
      <p>{t('about.issuersNote')}</p>
      <p>{t('about.apology')}</p>
    </section>
  )
}
