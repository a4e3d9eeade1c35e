import { useTranslation } from 'react-i18next'
import { Moment } from '~/staff/moment'
import type { ReturnEvent } from '~db/return-requests'

/** The request's history, oldest first: each change and each note, who wrote it, and whether it was sent. */
export function ReturnHistory({ events }: { events: ReturnEvent[] }) {
  const { t } = useTranslation('staff')
  return (
    <section aria-labelledby="return-history-heading">
      <h2 id="return-history-heading">{t('returnView.historyHeading')}</h2>
      <ol className="case-timeline return-history">
        {events.map((event) => (
          <li key={event.id}>
            <Moment at={event.at} />{' '}
            <span>
              {t(`returnView.events.${event.kind}`, {
                status: event.status ? t(`returns.statuses.${event.status}`) : '',
              })}
            </span>
            {event.staffId ? (
              <span className="case-timeline__staff">
                {' '}
                {t('caseView.timeline.by', { staffId: event.staffId })}
              </span>
            ) : null}
            {event.note !== null ? (
              <p className="return-facts__words return-history__note">{event.note}</p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  )
}
