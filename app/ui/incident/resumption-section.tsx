import { useTranslation } from 'react-i18next'
import { MANUAL_SHIPPING_DATE } from '~/incident/incident-facts'
import { RichText } from './rich-text'
import { useIncidentDates } from './use-incident-dates'

/** When Sekaimon and the auction store resume (`resumptionDate`, ISO), and what members will be asked first. */
export function ResumptionSection({ resumptionDate }: { resumptionDate: string }) {
  const { t } = useTranslation('incident')
  const { date } = useIncidentDates()
  return (
    <section id="resumption" className="incident-section">
      <h2>{t('resumption.heading')}</h2>
      <p className="resumption-date">{t('resumption.planned', { date: date(resumptionDate) })}</p>
      <p>
        <RichText i18nKey="resumption.auction" />
      </p>
      <p>{t('resumption.reconfirm')}</p>
      <p>{t('resumption.policy', { date: date(MANUAL_SHIPPING_DATE) })}</p>
    </section>
  )
}
