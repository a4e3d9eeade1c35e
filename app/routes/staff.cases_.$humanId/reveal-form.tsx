import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { RevealableField } from '~/staff/case-reveal.server'
import { REVEAL_REASONS_SHOWN } from '~/staff/reveal-reasons'
import { CsrfField } from '~/ui/csrf-field'
import { FieldFrame } from '~/ui/text-field'

type Errors = Partial<Record<'ref' | 'reason' | 'reasonText', string>>

/** One value of one record, with a reason: the audit keeps the field and the reason, never the value. */
export function RevealForm({
  csrf,
  fields,
  errors,
}: {
  csrf: string
  fields: RevealableField[]
  errors: Errors
}) {
  const { t } = useTranslation('staff')
  const error = (name: keyof Errors) =>
    errors[name] ? t(`caseView.reveal.errors.${errors[name]}`) : undefined
  if (fields.length === 0) return null
  return (
    <section aria-labelledby="case-reveal-heading">
      <h2 id="case-reveal-heading">{t('caseView.reveal.heading')}</h2>
      <p>{t('caseView.reveal.intro')}</p>
      <Form method="post" className="case-reveal" autoComplete="off">
        <CsrfField token={csrf} />
        <FieldFrame id="reveal-ref" label={t('caseView.reveal.field')} error={error('ref')}>
          {(described) => (
            <select id="reveal-ref" name="ref" {...described}>
              {fields.map((field) => (
                <option key={field.ref} value={field.ref}>
                  {t('caseView.reveal.option', {
                    cohort: t(`cases.cohorts.${field.cohort}`),
                    id: field.maskedId ?? '',
                    field: t(`caseView.fields.${field.field}`),
                  })}
                </option>
              ))}
            </select>
          )}
        </FieldFrame>
        <fieldset
          className={errors.reason ? 'field choices field--invalid' : 'field choices'}
          aria-describedby={errors.reason ? 'reveal-reason-error' : undefined}
        >
          <legend>{t('caseView.reveal.reason')}</legend>
          {errors.reason ? (
            <p id="reveal-reason-error" className="field__error">
              {error('reason')}
            </p>
          ) : null}
          {REVEAL_REASONS_SHOWN.map((reason) => (
            <label key={reason} className="choice">
              <input type="radio" name="reason" value={reason} required />{' '}
              {t(`caseView.reveal.reasons.${reason}`)}
            </label>
          ))}
        </fieldset>
        <FieldFrame
          id="reveal-reason-text"
          label={t('caseView.reveal.reasonText')}
          hint={t('caseView.reveal.reasonTextHint')}
          error={error('reasonText')}
        >
          {(described) => (
            <textarea id="reveal-reason-text" name="reasonText" maxLength={500} rows={2} {...described} />
          )}
        </FieldFrame>
        <button type="submit" className="button button--primary">
          {t('caseView.reveal.submit')}
        </button>
      </Form>
    </section>
  )
}

/** The value, once: not kept, not in the address bar; a reload shows the masked page again. */
export function RevealedValue({
  revealed,
}: {
  revealed: { field: string; cohort: string; maskedId: string | null; value: string }
}) {
  const { t } = useTranslation('staff')
  return (
    <div className="callout case-revealed" role="status">
      <p>
        {t('caseView.reveal.shown', {
          cohort: t(`cases.cohorts.${revealed.cohort}`),
          id: revealed.maskedId ?? '',
          field: t(`caseView.fields.${revealed.field}`),
        })}
      </p>
      <p className="case-revealed__value">{revealed.value}</p>
      <p className="field__hint">{t('caseView.reveal.once')}</p>
    </div>
  )
}
