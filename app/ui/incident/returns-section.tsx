import { Link } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { INCIDENT_DATE, RETURNS_EMAIL } from '~/incident/incident-facts'
import { MailLink } from './mail-link'
import { RichText } from './rich-text'
import { useIncidentDates } from './use-incident-dates'

const requiredInformation = ['reason', 'shippingNumber', 'photos'] as const

/** Section 5 of the notice: the two kinds of return and what to send to the returns desk. */
export function ReturnsSection() {
  const { t } = useTranslation('incident')
  const { date } = useIncidentDates()
  const cutoff = date(INCIDENT_DATE)
  const mail = { mail: <MailLink address={RETURNS_EMAIL} /> }
  return (
    <section id="returns" className="incident-section">
      <h2>{t('returns.heading')}</h2>
      <p>{t('returns.form.online')}</p>
      <p className="link-row">
        <Link to="/returns/new" className="button button--primary">
          {t('returns.form.start')}
        </Link>
        <Link to="/returns/status">{t('returns.form.status')}</Link>
      </p>
      <h3>{t('returns.problem.heading', { date: cutoff })}</h3>
      <p>
        <Trans t={t} i18nKey="returns.problem.body" values={{ email: RETURNS_EMAIL }} components={mail} />
      </p>
      <h4>{t('returns.problem.requiredHeading')}</h4>
      <ul>
        {requiredInformation.map((item) => (
          <li key={item}>
            <RichText i18nKey={`returns.problem.required.${item}`} />
          </li>
        ))}
      </ul>
      <h3>{t('returns.notReturned.heading', { date: cutoff })}</h3>
      <p>
        <Trans
          t={t}
          i18nKey="returns.notReturned.body"
          values={{ email: RETURNS_EMAIL, date: cutoff }}
          components={mail}
        />
      </p>
    </section>
  )
}
