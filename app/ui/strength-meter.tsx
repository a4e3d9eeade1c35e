import { useTranslation } from 'react-i18next'

export type Strength = { score: number; warning: string | null; suggestions: string[]; refusals?: string[] }

/**
 * The policy's verdict on a password as it is typed, in words: its level, the
 * same reasons saving would refuse it for (a refused password never reads as
 * strong), and what would help; or, while the server rests the meter (too many
 * readings), that the password is still judged in full when it is saved.
 */
export function StrengthMeter({
  id,
  strength,
  minLength,
  paused = false,
  refusalsShownAbove = false,
}: {
  id: string
  strength: Strength | null
  minLength: number
  paused?: boolean
  /** The page's refusal box already lists the reasons (after saving without JavaScript). */
  refusalsShownAbove?: boolean
}) {
  const { t } = useTranslation('account')
  const refusals = strength?.refusals ?? []
  // zxcvbn's hints help only when weakness is the whole problem; otherwise the reasons say it.
  const hintsHelp = refusals.every((refusal) => refusal === 'weak')
  return (
    <div id={id} className="strength" aria-live="polite">
      {paused && !strength ? <p className="strength__paused">{t('strength.paused')}</p> : null}
      {strength ? (
        <>
          <p className="strength__level">
            <label htmlFor={`${id}-meter`}>{t('strength.label')}</label>{' '}
            <meter id={`${id}-meter`} min={0} max={4} low={2} high={3} optimum={4} value={strength.score} />{' '}
            <strong>
              {refusals.length > 0 ? t('strength.refused') : t(`strength.levels.${strength.score}`)}
            </strong>
          </p>
          {refusals.length > 0 && !refusalsShownAbove ? (
            <ul className="strength__refusals">
              {refusals.map((refusal) => (
                <li key={refusal}>{t(`password.refusals.${refusal}`, { min: minLength })}</li>
              ))}
            </ul>
          ) : null}
          {strength.warning && hintsHelp ? (
            <p className="strength__warning">{t(`strength.warnings.${strength.warning}`)}</p>
          ) : null}
          {strength.suggestions.length > 0 && hintsHelp ? (
            <ul className="strength__suggestions">
              {strength.suggestions.map((key) => (
                <li key={key}>{t(`strength.suggestions.${key}`)}</li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </div>
  )
}
