import { Form, Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FieldFrame, TextField } from '~/ui/text-field'
import { AUDIT_FIELD_MAX, type AuditFilterTyped } from './staff-audit-fields'

/**
 * The audit page's filter: a GET form, so it works without JavaScript, a
 * filtered page can be bookmarked, and the paging links carry the filter.
 * After a query the page could not read, each field shows what was typed and
 * why it was refused.
 */
export function AuditFilterForm({
  typed,
  errors,
  actions,
}: {
  typed: AuditFilterTyped
  errors: Record<string, string>
  actions: readonly string[]
}) {
  const { t } = useTranslation('staff')
  const error = (name: string) => (errors[name] ? t(errors[name]) : undefined)
  return (
    <Form method="get" action="/staff/audit" className="audit-filter" aria-labelledby="audit-filter-legend">
      <fieldset>
        <legend id="audit-filter-legend">{t('audit.filter.legend')}</legend>
        <div className="audit-filter__fields">
          <div className="audit-filter__wide">
            <TextField
              id="audit-actor"
              name="actor"
              label={t('audit.filter.actor.label')}
              hint={t('audit.filter.actor.hint')}
              error={error('actor')}
              defaultValue={typed.actor}
              maxLength={AUDIT_FIELD_MAX.actor}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <TextField
            id="audit-target"
            name="target"
            label={t('audit.filter.target.label')}
            hint={t('audit.filter.target.hint')}
            error={error('target')}
            defaultValue={typed.target}
            maxLength={AUDIT_FIELD_MAX.target}
            autoComplete="off"
            spellCheck={false}
          />
          <FieldFrame id="audit-action" label={t('audit.filter.action.label')} error={error('action')}>
            {(described) => (
              <select id="audit-action" name="action" defaultValue={typed.action} {...described}>
                <option value="">{t('audit.filter.action.any')}</option>
                {actions.map((action) => (
                  <option key={action} value={action}>
                    {t(`audit.actions.${action}`)}
                  </option>
                ))}
              </select>
            )}
          </FieldFrame>
          <TextField
            id="audit-from"
            name="from"
            type="date"
            label={t('audit.filter.from.label')}
            error={error('from')}
            defaultValue={typed.from}
            maxLength={AUDIT_FIELD_MAX.from}
          />
          <TextField
            id="audit-to"
            name="to"
            type="date"
            label={t('audit.filter.to.label')}
            error={error('to')}
            defaultValue={typed.to}
            maxLength={AUDIT_FIELD_MAX.to}
          />
        </div>
        <p className="field__hint">{t('audit.filter.dates')}</p>
        <div className="audit-filter__buttons">
          <button type="submit" className="button button--primary">
            {t('audit.filter.submit')}
          </button>
          <Link to="/staff/audit">{t('audit.filter.clear')}</Link>
        </div>
      </fieldset>
    </Form>
  )
}
