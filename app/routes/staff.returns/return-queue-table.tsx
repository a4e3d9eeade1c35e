import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { QueueRow } from '~/returns/staff-return-queue.server'
import { Moment } from '~/staff/moment'

/**
 * The matching requests, oldest first: a table on a wide screen; on a phone
 * each row stacks into labelled lines (the labels come from `data-label`),
 * so nothing scrolls sideways.
 */
export function ReturnQueueTable({ rows }: { rows: QueueRow[] }) {
  const { t } = useTranslation('staff')
  const columns = {
    reference: t('returnQueue.columns.reference'),
    reason: t('returnQueue.columns.reason'),
    status: t('returnQueue.columns.status'),
    filed: t('returnQueue.columns.filed'),
    photos: t('returnQueue.columns.photos'),
    linked: t('returnQueue.columns.linked'),
  }
  return (
    <table className="return-queue">
      <caption className="visually-hidden">{t('returnQueue.caption')}</caption>
      <thead>
        <tr>
          {Object.entries(columns).map(([key, label]) => (
            <th key={key} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.reference}>
            <th scope="row" data-label={columns.reference}>
              <Link to={`/staff/returns/${row.reference}`} translate="no">
                {row.reference}
              </Link>
            </th>
            <td data-label={columns.reason}>{t(`returns.reasons.${row.reason}`)}</td>
            <td data-label={columns.status}>{t(`returns.statuses.${row.status}`)}</td>
            <td data-label={columns.filed}>
              <Moment at={row.createdAt} />
            </td>
            <td data-label={columns.photos} className="return-queue__number">
              {row.photoCount}
            </td>
            <td data-label={columns.linked}>
              {row.linkedToCase ? t('returnQueue.linked.yes') : t('returnQueue.linked.no')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
