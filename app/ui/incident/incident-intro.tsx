import { useTranslation } from 'react-i18next'
import { INCIDENT_DATE, NOTICE_DATE, sectionIds } from '~/incident/incident-facts'
import { CheckCta } from './check-cta'
import { RichText } from './rich-text'
import { useIncidentDates } from './use-incident-dates'

const summaryPoints = ['exposed', 'card', 'others', 'noNewIntrusion', 'resumption', 'password'] as const

/**
 * The top of the notice: heading, apology, key points, the call to action and
 * the contents. `resumptionDate` (ISO) is the configured day the shop reopens.
 */
export function IncidentIntro({ resumptionDate }: { resumptionDate: string }) {
  const { t } = useTranslation('incident')
  const { date } = useIncidentDates()
  return (
    <>
      <h1>{t('heading')}</h1>
      <p className="incident-based-on">{t('basedOn', { date: date(NOTICE_DATE) })}</p>
      <p className="incident-lead">{t('summary.lead', { date: date(INCIDENT_DATE) })}</p>
      <section className="incident-summary" aria-labelledby="summary-heading">
        <h2 id="summary-heading">{t('summary.pointsHeading')}</h2>
        <ul>
          {summaryPoints.map((point) => (
            <li key={point}>
              <RichText i18nKey={`summary.points.${point}`} values={{ date: date(resumptionDate) }} />
            </li>
          ))}
        </ul>
      </section>
      <CheckCta />
      <nav className="incident-toc no-print" aria-labelledby="toc-heading">
        <h2 id="toc-heading">{t('toc.heading')}</h2>
        <ol>
          {sectionIds.map((id) => (
            <li key={id}>
              <a href={`#${id}`}>{t(`${id}.heading`)}</a>
            </li>
          ))}
        </ol>
      </nav>
    </>
  )
}
