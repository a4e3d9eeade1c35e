import { Link } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { dateFormat } from '~/i18n/date-format'
import { INCIDENT_DATE } from '~/incident/incident-facts'
import type { ReturnStatusView } from '~/returns/return-status.server'
import { useIncidentDates } from '~/ui/incident/use-incident-dates'
import { ReturnsContacts } from './status-forms'

/** Where the request stands, and what the returns desk wrote to its customer. */
export function StatusView({ view }: { view: ReturnStatusView }) {
  const { t, i18n } = useTranslation('returns')
  const { date } = useIncidentDates()
  // Japan time, said as such: a reader abroad would otherwise take it for their own.
  const when = (at: number) =>
    t('status.view.japanTime', {
      time: dateFormat(i18n.language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(at)),
    })
  return (
    <article className="prose returns return-status">
      <h1>
        <Trans
          t={t}
          i18nKey="status.view.heading"
          values={{ reference: view.reference }}
          components={{ reference: <span className="return-status__reference" /> }}
        />
      </h1>
      <dl>
        <dt>{t('status.view.status')}</dt>
        <dd>
          <strong>{t(`status.statuses.${view.status}`)}</strong>
        </dd>
        <dt>{t('status.view.reason')}</dt>
        <dd>{t(`new.reasons.${view.reason}`, { date: date(INCIDENT_DATE) })}</dd>
        <dt>{t('status.view.photos')}</dt>
        <dd>{t('status.view.photosCount', { count: view.photoCount })}</dd>
        <dt>{t('status.view.filed')}</dt>
        <dd>{when(view.filedAt)}</dd>
        <dt>{t('status.view.updated')}</dt>
        <dd>{when(view.updatedAt)}</dd>
      </dl>
      <h2>{t('status.view.notes')}</h2>
      {view.notes.length === 0 ? (
        <p>{t('status.view.noNotes')}</p>
      ) : (
        <ul className="return-notes">
          {view.notes.map((note) => (
            <li key={note.at}>
              <strong>{when(note.at)}</strong>
              {'\n'}
              {note.text}
            </li>
          ))}
        </ul>
      )}
      <p className="link-row">
        <Link to="/returns/status">{t('status.again')}</Link>
      </p>
      <ReturnsContacts />
    </article>
  )
}
