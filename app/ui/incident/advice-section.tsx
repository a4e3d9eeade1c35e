import { Trans, useTranslation } from 'react-i18next'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { CheckCta } from './check-cta'
import { MailLink } from './mail-link'

const risks = ['passwordReuse', 'phishing', 'card'] as const
const actions = ['password', 'phishing', 'card'] as const

/** Possible further harm, then what to do now, set apart in a callout. */
export function AdviceSection() {
  const { t } = useTranslation('incident')
  return (
    <section id="advice" className="incident-section">
      <h2>{t('advice.heading')}</h2>
      <p>{t('advice.intro')}</p>
      <ul className="risk-list">
        {risks.map((risk) => (
          <li key={risk}>
            <strong className="risk-list__title">{t(`advice.risks.${risk}.title`)}</strong>
            {t(`advice.risks.${risk}.body`)}
          </li>
        ))}
      </ul>
      <div className="callout incident-actions">
        <h3>{t('advice.actionsHeading')}</h3>
        <ol>
          {actions.map((action) => (
            <li key={action}>{t(`advice.actions.${action}`)}</li>
          ))}
        </ol>
        <p>
          <Trans
            t={t}
            i18nKey="advice.actions.unsure"
            values={{ email: SUPPORT_EMAIL }}
            components={{ mail: <MailLink address={SUPPORT_EMAIL} /> }}
          />
        </p>
      </div>
      <CheckCta />
    </section>
  )
}
