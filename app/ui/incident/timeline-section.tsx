import { useTranslation } from 'react-i18next'
import { timeline } from '~/incident/incident-facts'
import { useTranslatedList } from './translated-list'
import { machineDate, useIncidentDates } from './use-incident-dates'

/** The notice's timeline of the response, as a table. */
export function TimelineSection() {
  const { t } = useTranslation('incident')
  const list = useTranslatedList('incident')
  const { when } = useIncidentDates()
  return (
    <section id="timeline" className="incident-section">
      <h2>{t('timeline.heading')}</h2>
      <p>{t('timeline.intro')}</p>
      <table className="stack-table timeline-table">
        <caption>
          {t('timeline.caption')} <span className="caption-note">{t('timeline.timeNote')}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('timeline.columns.when')}</th>
            <th scope="col">{t('timeline.columns.what')}</th>
          </tr>
        </thead>
        <tbody>
          {timeline.map((entry) => {
            const dateTime = machineDate(entry.when)
            const items = list(`timeline.entries.${entry.key}`)
            return (
              <tr key={entry.key}>
                <th scope="row">
                  {dateTime ? <time dateTime={dateTime}>{when(entry.when)}</time> : when(entry.when)}
                </th>
                <td>
                  {items.length === 1 ? (
                    items[0]
                  ) : (
                    <ul className="cell-list">
                      {items.map((item) => (
                        <li key={item}>{item}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}
