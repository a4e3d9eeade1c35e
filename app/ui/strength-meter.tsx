import { useTranslation } from 'react-i18next'

export type Strength = { score: number; warning: string | null; suggestions: string[] }

/**
 * zxcvbn's verdict on a password, in words: its level, what is wrong, what
 * would help; or, while the server rests the meter (too many readings), that
 * the password is still judged in full when it is saved.
 */
export function StrengthMeter({
  id,
  strength,
  paused = false,
}: {
  id: string
  strength: Strength | null
  paused?: boolean
}) {
  const { t } = useTranslation('account')
  return (
    <div id={id} className="strength" aria-live="polite">
      {paused && !strength ? <p className="strength__paused">{t('strength.paused')}</p> : null}
      {strength ? (
        <>
          <p className="strength__level">
            <label htmlFor={`${id}-meter`}>{t('strength.label')}</label>{' '}
            <meter id={`${id}-meter`} min={0} max={4} low={2} high={3} optimum={4} value={strength.score} />{' '}
            <strong>{t(`strength.levels.${strength.score}`)}</strong>
          </p>
          {strength.warning ? (
            <p className="strength__warning">{t(`strength.warnings.${strength.warning}`)}</p>
          ) : null}
          {strength.suggestions.length > 0 ? (
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
