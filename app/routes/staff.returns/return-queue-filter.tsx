import { Form, Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import {
  QUEUE_AGE_CHOICES,
  QUEUE_REASON_CHOICES,
  QUEUE_STATUS_CHOICES,
  type QueueFilter,
} from '~/returns/staff-return-queue.server'
import { FieldFrame } from '~/ui/text-field'
import type { ReturnStatus } from '~db/schema'
import { RETURN_STATUSES } from '~db/schema'

/**
 * The queue's filter: three selects and one button, sent as a GET so the
 * view's address can be kept; nothing typed, so nothing personal in it.
 */
export function ReturnQueueFilterForm({
  filter,
  errors,
}: {
  filter: QueueFilter
  errors: Partial<Record<keyof QueueFilter, string>>
}) {
  const { t } = useTranslation('staff')
  const error = (name: keyof QueueFilter) => (errors[name] ? t(errors[name]) : undefined)
  const hasErrors = Object.keys(errors).length > 0
  return (
    <Form method="get" action="/staff/returns" className="return-filter">
      {hasErrors ? (
        <p className="callout callout--error" role="alert">
          {t('returnQueue.errors.summary')}
        </p>
      ) : null}
      <fieldset>
        <legend>{t('returnQueue.filter.legend')}</legend>
        <div className="return-filter__fields">
          <FieldFrame id="return-status" label={t('returnQueue.filter.status')} error={error('status')}>
            {(described) => (
              <select id="return-status" name="status" defaultValue={filter.status} {...described}>
                {QUEUE_STATUS_CHOICES.map((choice) => (
                  <option key={choice} value={choice}>
                    {t(`returnQueue.statusChoices.${choice}`)}
                  </option>
                ))}
              </select>
            )}
          </FieldFrame>
          <FieldFrame id="return-reason" label={t('returnQueue.filter.reason')} error={error('reason')}>
            {(described) => (
              <select id="return-reason" name="reason" defaultValue={filter.reason} {...described}>
                {QUEUE_REASON_CHOICES.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice === 'any' ? t('returnQueue.filter.anyReason') : t(`returns.reasons.${choice}`)}
                  </option>
                ))}
              </select>
            )}
          </FieldFrame>
          <FieldFrame id="return-age" label={t('returnQueue.filter.age')} error={error('age')}>
            {(described) => (
              <select id="return-age" name="age" defaultValue={filter.age} {...described}>
                {QUEUE_AGE_CHOICES.map((choice) => (
                  <option key={choice} value={choice}>
                    {t(`returnQueue.ageChoices.${choice}`)}
                  </option>
                ))}
              </select>
            )}
          </FieldFrame>
        </div>
        <button type="submit" className="button button--primary">
          {t('returnQueue.filter.submit')}
        </button>
      </fieldset>
    </Form>
  )
}

/** How many requests stand in each status, each a link to the queue filtered to it. */
export function ReturnQueueCounts({ counts }: { counts: Record<ReturnStatus, number> }) {
  const { t } = useTranslation('staff')
  return (
    <section aria-labelledby="return-counts-heading">
      <h2 id="return-counts-heading">{t('returnQueue.countsHeading')}</h2>
      <ul className="return-counts">
        {RETURN_STATUSES.map((status) => (
          <li key={status}>
            <Link to={`/staff/returns?status=${status}`}>
              {t('returnQueue.countLabel', { status: t(`returns.statuses.${status}`) })}
              <strong>{counts[status]}</strong>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  )
}
