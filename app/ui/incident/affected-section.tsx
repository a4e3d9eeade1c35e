import { useTranslation } from 'react-i18next'
import { cohorts } from '~/incident/incident-facts'
import { RichText } from './rich-text'
import { useIncidentDates } from './use-incident-dates'

/** Who is affected and which categories of their information, one table row per group. */
export function AffectedSection() {
  const { t } = useTranslation('incident')
  const { date } = useIncidentDates()
  return (
    <section id="affected" className="incident-section">
      <h2>{t('affected.heading')}</h2>
      <p>{t('affected.intro')}</p>
      <table className="stack-table cohort-table">
        <caption>{t('affected.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('affected.columns.who')}</th>
            <th scope="col">{t('affected.columns.data')}</th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((cohort) => (
            <tr key={cohort.key}>
              <th scope="row">
                <span className="cohort-table__name">
                  <RichText i18nKey={`affected.cohorts.${cohort.key}.name`} />
                </span>
                {cohort.period ? (
                  <span className="cohort-table__period">
                    {t(`affected.cohorts.${cohort.key}.period`, {
                      from: date(cohort.period.from),
                      to: date(cohort.period.to),
                    })}
                  </span>
                ) : null}
              </th>
              <td>
                <ul className="cell-list">
                  {cohort.categories.map((category) => (
                    <li key={category}>{t(`affected.categories.${category}`)}</li>
                  ))}
                </ul>
                {cohort.notes?.map((note) => (
                  <p key={note} className="table-note">
                    {t(`affected.notes.${note}`)}
                  </p>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>{t('affected.onlyIfHeld')}</p>
      <p>{t('affected.severalCohorts')}</p>
      <p>{t('affected.notified')}</p>
    </section>
  )
}
