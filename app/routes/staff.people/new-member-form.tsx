import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CsrfField } from '~/ui/csrf-field'
import { TextField } from '~/ui/text-field'

type Field = 'email' | 'name' | 'role'

/** A new member's address, name and role; sent back as typed when something must be corrected. */
export function NewMemberForm({
  csrf,
  values,
  errors,
}: {
  csrf: string
  values?: Record<Field, string>
  errors: Partial<Record<Field, string>>
}) {
  const { t } = useTranslation('staff')
  const error = (field: Field) => {
    const key = errors[field]
    return key ? t(`people.add.errors.${key}`) : undefined
  }
  const role = values?.role === 'supervisor' ? 'supervisor' : 'agent'
  const roleError = error('role')
  return (
    <section aria-labelledby="new-member-heading">
      <h2 id="new-member-heading">{t('people.add.heading')}</h2>
      <p>{t('people.add.intro')}</p>
      <Form method="post" action="/staff/people" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value="create" />
        <TextField
          id="email"
          name="email"
          type="email"
          autoComplete="off"
          maxLength={320}
          defaultValue={values?.email}
          label={t('people.add.emailLabel')}
          error={error('email')}
        />
        <TextField
          id="name"
          name="name"
          type="text"
          autoComplete="off"
          maxLength={200}
          defaultValue={values?.name}
          label={t('people.add.nameLabel')}
          hint={t('people.add.nameHint')}
          error={error('name')}
        />
        <fieldset
          className={roleError ? 'choices field--invalid' : 'choices'}
          aria-describedby={roleError ? 'role-error' : undefined}
        >
          <legend>{t('people.add.roleLegend')}</legend>
          {roleError ? (
            <p id="role-error" className="field__error">
              {roleError}
            </p>
          ) : null}
          <label>
            <input id="role-agent" type="radio" name="role" value="agent" defaultChecked={role === 'agent'} />
            {t('people.add.roleAgent')}
          </label>
          <label>
            <input type="radio" name="role" value="supervisor" defaultChecked={role === 'supervisor'} />
            {t('people.add.roleSupervisor')}
          </label>
        </fieldset>
        <button type="submit" className="button button--primary">
          {t('people.add.submit')}
        </button>
      </Form>
    </section>
  )
}
