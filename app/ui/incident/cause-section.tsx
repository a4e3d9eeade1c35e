import { useTranslation } from 'react-i18next'

const measures = ['rebuild', 'edr', 'patches', 'network', 'mfa', 'continuing'] as const

/** The cause found by the investigation and the measures against recurrence. */
export function CauseSection() {
  const { t } = useTranslation('incident')
  return (
    <section id="cause" className="incident-section">
      <h2>{t('cause.heading')}</h2>
      <h3>{t('cause.causeHeading')}</h3>
      <p>{t('cause.cause')}</p>
      <h3>{t('cause.measuresHeading')}</h3>
      <p>{t('cause.measuresIntro')}</p>
      <ul className="measure-list">
        {measures.map((measure) => (
          <li key={measure}>
            <strong className="measure-list__title">{t(`cause.measures.${measure}.title`)}</strong>
            {t(`cause.measures.${measure}.body`)}
          </li>
        ))}
      </ul>
    </section>
  )
}
