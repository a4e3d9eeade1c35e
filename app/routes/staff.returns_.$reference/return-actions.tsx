import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CsrfField } from '~/ui/csrf-field'
import { FieldFrame } from '~/ui/text-field'
import { RETURN_STATUSES, type ReturnStatus } from '~db/schema'

type Errors = { form: 'status' | 'note'; errors: Partial<Record<'status' | 'note', string>> }

/**
 * The two things staff do here, each form saying who will read what is
 * written: the status form's note goes to the customer by e-mail; the
 * internal note never leaves the console.
 */
export function ReturnActions({
  csrf,
  status,
  errors,
}: {
  csrf: string
  status: ReturnStatus
  errors?: Errors
}) {
  const { t } = useTranslation('staff')
  const error = (form: Errors['form'], field: 'status' | 'note') => {
    const key = errors?.form === form ? errors.errors[field] : undefined
    return key ? t(key) : undefined
  }
  return (
    <section aria-labelledby="return-actions-heading">
      <h2 id="return-actions-heading">{t('returnView.actionsHeading')}</h2>
      <Form method="post" className="case-action return-action" autoComplete="off">
        <CsrfField token={csrf} />
        <h3>{t('returnView.statusForm.heading')}</h3>
        <FieldFrame
          id="return-new-status"
          label={t('returnView.statusForm.status')}
          error={error('status', 'status')}
        >
          {(described) => (
            <select id="return-new-status" name="status" defaultValue={status} {...described}>
              {RETURN_STATUSES.map((choice) => (
                <option key={choice} value={choice}>
                  {t(`returns.statuses.${choice}`)}
                </option>
              ))}
            </select>
          )}
        </FieldFrame>
        <FieldFrame
          id="return-customer-note"
          label={t('returnView.statusForm.note')}
          hint={t('returnView.statusForm.noteHint')}
          error={error('status', 'note')}
        >
          {(described) => (
            <textarea id="return-customer-note" name="note" maxLength={2000} rows={4} {...described} />
          )}
        </FieldFrame>
        <button type="submit" name="intent" value="status" className="button button--primary">
          {t('returnView.statusForm.submit')}
        </button>
      </Form>
      <Form method="post" className="case-action return-action" autoComplete="off">
        <CsrfField token={csrf} announce={false} />
        <h3>{t('returnView.noteForm.heading')}</h3>
        <FieldFrame
          id="return-internal-note"
          label={t('returnView.noteForm.note')}
          hint={t('returnView.noteForm.noteHint')}
          error={error('note', 'note')}
        >
          {(described) => (
            <textarea id="return-internal-note" name="note" maxLength={2000} rows={3} {...described} />
          )}
        </FieldFrame>
        <button type="submit" name="intent" value="note" className="button button--secondary">
          {t('returnView.noteForm.submit')}
        </button>
      </Form>
    </section>
  )
}
