import { useTranslation } from 'react-i18next'
import { ADDED_STEPS, stepProgress } from '~/accounts/required-actions'
import type { RequiredAction } from '~db/schema'

/**
 * "Step 1 of 2" over the list of a member's steps, the current one marked for screen readers too.
 * A step added half-way (confirming a new address) is shown as added, so the total never changes.
 */
export function StepIndicator({
  steps,
  current,
}: {
  steps: readonly RequiredAction[]
  current: RequiredAction
}) {
  const { t } = useTranslation('account')
  const progress = stepProgress(steps, current)
  const label = progress.added ? t('steps.added') : t('steps.progress', progress)
  return (
    <nav className="steps" aria-label={label}>
      <p className="steps__progress">{label}</p>
      <ol className="steps__list">
        {steps.map((step) => (
          <li
            key={step}
            className={ADDED_STEPS.includes(step) ? 'steps__added' : undefined}
            aria-current={step === current ? 'step' : undefined}
          >
            {ADDED_STEPS.includes(step)
              ? t('steps.addedItem', { step: t(`steps.${step}`) })
              : t(`steps.${step}`)}
          </li>
        ))}
      </ol>
    </nav>
  )
}
