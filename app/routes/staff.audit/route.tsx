import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { db } from '~/db.server'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { PERSONAL_PAGE_HEADERS, personalPageHeaders } from '~/security/personal-page.server'
import { AUDIT_PAGE_SIZE, latestAuditRows } from '~/staff/staff-audit-view.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export async function loader({ request }: LoaderFunctionArgs) {
  requireStaff(request, { role: 'supervisor' })
  const rows = latestAuditRows({ db: db(), language: await requestLanguage(request) })
  return data(
    { meta: await getSubPageMeta(request, 'staff', 'audit'), rows },
    { headers: PERSONAL_PAGE_HEADERS },
  )
}

export default function StaffAuditPage() {
  const { t } = useTranslation('staff')
  const { rows } = useLoaderData<typeof loader>()
  return (
    <article className="prose">
      <h1>{t('audit.heading')}</h1>
      <p>{t('audit.intro', { size: AUDIT_PAGE_SIZE })}</p>
      {rows.length === 0 ? (
        <p>{t('audit.empty')}</p>
      ) : (
        <div>
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.columns.at')}</th>
                <th scope="col">{t('audit.columns.actor')}</th>
                <th scope="col">{t('audit.columns.action')}</th>
                <th scope="col">{t('audit.columns.target')}</th>
                <th scope="col">{t('audit.columns.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.sequence}>
                  {/* Each cell names its column, for the stacked layout of a phone (app.css). */}
                  <td data-label={t('audit.columns.at')}>{row.at}</td>
                  <td data-label={t('audit.columns.actor')}>{row.actor}</td>
                  <td data-label={t('audit.columns.action')}>
                    <code>{row.action}</code>
                  </td>
                  <td data-label={t('audit.columns.target')}>{row.target}</td>
                  <td data-label={t('audit.columns.outcome')}>{t(`audit.outcomes.${row.outcome}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="link-row">
        <Link to="/staff">{t('audit.back')}</Link>
      </p>
    </article>
  )
}
