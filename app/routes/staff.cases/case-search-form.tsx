import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CASE_SEARCH_KINDS } from '~/staff/case-search-kinds'
import { CsrfField } from '~/ui/csrf-field'
import { FieldFrame, TextField } from '~/ui/text-field'

type Typed = { kind: string; value: string; birthDate: string }

/**
 * One box and what it holds. The birth date box is always there (no script
 * shows or hides it); only the family-name kind reads it, and says so.
 * Autocomplete off: a caller's details must not be offered to the next caller.
 */
export function CaseSearchForm({
  csrf,
  typed,
  errors,
}: {
  csrf: string
  typed?: Typed
  errors: Partial<Record<'kind' | 'value' | 'birthDate', string>>
}) {
  const { t } = useTranslation('staff')
  const error = (name: keyof typeof errors) => {
    const key = errors[name]
    return key ? t(`cases.errors.${key}`) : undefined
  }
  return (
    <Form method="post" action="/staff/cases" className="case-search" autoComplete="off">
      <CsrfField token={csrf} />
      <FieldFrame id="case-kind" label={t('cases.kind.label')} error={error('kind')}>
        {(described) => (
          <select id="case-kind" name="kind" defaultValue={typed?.kind ?? 'phone'} {...described}>
            {CASE_SEARCH_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`cases.kind.options.${kind}`)}
              </option>
            ))}
          </select>
        )}
      </FieldFrame>
      <TextField
        id="case-value"
        name="value"
        label={t('cases.value.label')}
        hint={t('cases.value.hint')}
        error={error('value')}
        defaultValue={typed?.value}
        maxLength={320}
        autoComplete="off"
        spellCheck={false}
        required
      />
      <TextField
        id="case-birth-date"
        name="birthDate"
        label={t('cases.birthDate.label')}
        hint={t('cases.birthDate.hint')}
        error={error('birthDate')}
        defaultValue={typed?.birthDate}
        maxLength={64}
        autoComplete="off"
        spellCheck={false}
      />
      <button type="submit" className="button button--primary">
        {t('cases.submit')}
      </button>
    </Form>
  )
}
