import { useTranslation } from 'react-i18next'

/** "Step 1 of 2" over the list of a member's steps, the current one marked for screen readers too. */
export function StepIndicator({ steps, current }: { steps: readonly string[]; current: string }) {
  const { t } = useTranslation('account')
  const number = steps.indexOf(current) + 1
  return (
    <nav className="steps" aria-label={t('steps.progress', { number, total: steps.length })}>
      <p className="steps__progress">{t('steps.progress', { number, total: steps.length })}</p>
      <ol className="steps__list">
        {steps.map((step) => (
          <li key={step} aria-current={step === current ? 'step' : undefined}>
            {t(`steps.${step}`)}
          </li>
        ))}
      </ol>
    </nav>
  )
}
