import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CALL_BACK_REASON_TEXT_MAX, CALL_BACK_REASONS_SHOWN } from '~/staff/call-back-reasons'
import { CsrfField } from '~/ui/csrf-field'
import { FieldFrame } from '~/ui/text-field'

type Errors = Partial<Record<'reason' | 'reasonText', string>>

/**
 * Supervisors only: identity confirmed by calling back the phone number on
 * file, with a reason. The form says what it does, since the customer's next
 * letter-code check will then not ask for the second detail.
 */
export function CallBackForm({
  csrf,
  errors,
  chosen,
}: {
  csrf: string
  errors: Errors
  chosen: string | null
}) {
  const { t } = useTranslation('staff')
  const error = (name: keyof Errors) =>
    errors[name] ? t(`caseView.callBack.errors.${errors[name]}`) : undefined
  return (
    <section aria-labelledby="case-call-back-heading">
      <h2 id="case-call-back-heading">{t('caseView.callBack.heading')}</h2>
      <p>{t('caseView.callBack.explained')}</p>
      <p>{t('caseView.callBack.secondFactor')}</p>
      <Form method="post" className="case-call-back" autoComplete="off">
        <CsrfField token={csrf} />
        <fieldset
          className={errors.reason ? 'field choices field--invalid' : 'field choices'}
          aria-describedby={errors.reason ? 'call-back-reason-error' : undefined}
        >
          <legend>{t('caseView.callBack.reason')}</legend>
          {errors.reason ? (
            <p id="call-back-reason-error" className="field__error">
              {error('reason')}
            </p>
          ) : null}
          {CALL_BACK_REASONS_SHOWN.map((reason) => (
            <label key={reason} className="choice">
              <input type="radio" name="reason" value={reason} defaultChecked={reason === chosen} required />{' '}
              {t(`caseView.callBack.reasons.${reason}`)}
            </label>
          ))}
        </fieldset>
        <FieldFrame
          id="call-back-reason-text"
          label={t('caseView.callBack.reasonText')}
          hint={t('caseView.callBack.reasonTextHint')}
          error={error('reasonText')}
        >
          {(described) => (
            <textarea
              id="call-back-reason-text"
              name="reasonText"
              maxLength={CALL_BACK_REASON_TEXT_MAX}
              rows={2}
              {...described}
            />
          )}
        </FieldFrame>
        <button type="submit" name="intent" value="confirm-identity" className="button button--primary">
          {t('caseView.callBack.submit')}
        </button>
      </Form>
    </section>
  )
}
