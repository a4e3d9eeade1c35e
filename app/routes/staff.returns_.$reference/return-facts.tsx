import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { ReturnRequestView } from '~/returns/staff-return-request.server'
import { Moment } from '~/staff/moment'

/**
 * What the customer filed, as labelled lines: the contact address masked as
 * on the case page (mail to it goes through the status form, never by hand).
 */
export function ReturnFacts({ view }: { view: ReturnRequestView }) {
  const { t } = useTranslation('staff')
  return (
    <section aria-labelledby="return-facts-heading">
      <h2 id="return-facts-heading">{t('returnView.factsHeading')}</h2>
      <dl className="return-facts">
        <div>
          <dt>{t('returnView.facts.reason')}</dt>
          <dd>
            {t(`returns.reasons.${view.reason}`)}
            {view.otherReason ? (
              <>
                {': '}
                <span className="return-facts__words">{view.otherReason}</span>
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>{t('returnView.facts.status')}</dt>
          <dd>{t(`returns.statuses.${view.status}`)}</dd>
        </div>
        <div>
          <dt>{t('returnView.facts.filed')}</dt>
          <dd>
            <Moment at={view.filedAt} />
          </dd>
        </div>
        <div>
          <dt>{t(`returnView.facts.number.${view.numberKind}`)}</dt>
          <dd translate="no">{view.number}</dd>
        </div>
        <div>
          <dt>{t('returnView.facts.email')}</dt>
          <dd translate="no">{view.maskedEmail ?? t('returnView.facts.emailUnreadable')}</dd>
        </div>
        <div>
          <dt>{t('returnView.facts.case')}</dt>
          <dd>
            {view.humanId === null ? (
              t('returnView.facts.noCase')
            ) : (
              <Link to={`/staff/cases/${view.humanId}`}>
                {t('returnView.facts.openCase', { id: view.humanId })}
              </Link>
            )}
          </dd>
        </div>
      </dl>
      <h3>{t('returnView.facts.description')}</h3>
      <p className="return-facts__words">{view.description}</p>
    </section>
  )
}
