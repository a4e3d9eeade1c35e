import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { db } from '~/db.server'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { PERSONAL_PAGE_HEADERS, personalPageHeaders } from '~/security/personal-page.server'
import { AuditFilterForm } from '~/staff/audit-filter-form'
import { MAX_AUDIT_EXPORT_ROWS } from '~/staff/staff-audit-export.server'
import { AUDIT_PAGE_SIZE, auditPage } from '~/staff/staff-audit-view.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, { role: 'supervisor' })
  const page = await auditPage({
    db: db(),
    language: await requestLanguage(request),
    url: new URL(request.url),
  })
  return data(
    {
      meta: await getSubPageMeta(request, 'staff', 'audit'),
      page,
      // From the loader: a server module's constants are not in the browser's bundle.
      pageSize: AUDIT_PAGE_SIZE,
      exportMax: MAX_AUDIT_EXPORT_ROWS,
    },
    { status: page.status, headers: PERSONAL_PAGE_HEADERS },
  )
}

export default function StaffAuditPage() {
  const { t, i18n } = useTranslation('staff')
  const { page, pageSize, exportMax } = useLoaderData<typeof loader>()
  const { rows, links } = page
  const invalid = page.status === 400
  return (
    <article className="prose audit-page">
      <h1>{t('audit.heading')}</h1>
      <p>{t('audit.pagedIntro', { size: pageSize })}</p>
      {invalid ? (
        <p className="audit-page__problem" role="alert">
          {t('audit.errors.summary')}
          {page.errors.page ? ` ${t(page.errors.page)}` : null}
        </p>
      ) : null}
      <AuditFilterForm typed={page.typed} errors={page.errors} actions={page.actions} />
      {invalid ? null : (
        <div className="audit-page__export">
          {/* A plain link: the file is a download, not a page for the router. */}
          <a className="button button--secondary" href={links.csv} download>
            {t('audit.csv.download')}
          </a>
          <p className="field__hint">
            {t('audit.csv.hint', { max: exportMax.toLocaleString(i18n.language) })}
          </p>
        </div>
      )}
      {invalid ? null : rows.length === 0 ? (
        <div className="audit-page__empty">
          {page.filtered ? (
            <>
              <p>{t('audit.emptyFiltered')}</p>
              <p>{t('audit.widen')}</p>
            </>
          ) : (
            <p>{links.newest ? t('audit.emptyPage') : t('audit.empty')}</p>
          )}
        </div>
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
                  <td data-label={t('audit.columns.at')}>
                    <time dateTime={row.iso}>{row.at}</time>
                  </td>
                  <td data-label={t('audit.columns.actor')}>{row.actor}</td>
                  <td data-label={t('audit.columns.action')}>
                    <span className="audit-table__action">
                      {t(`audit.actions.${row.action}`)} <code>{row.action}</code>
                    </span>
                  </td>
                  <td data-label={t('audit.columns.target')}>{row.target}</td>
                  <td data-label={t('audit.columns.outcome')}>{t(`audit.outcomes.${row.outcome}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {links.newer || links.older || links.newest ? (
        <nav className="audit-paging" aria-label={t('audit.paging.label')}>
          {links.newer ? (
            <Link to={links.newer} rel="prev">
              {t('audit.paging.newer')}
            </Link>
          ) : null}
          {links.older ? (
            <Link to={links.older} rel="next">
              {t('audit.paging.older')}
            </Link>
          ) : null}
          {links.newest ? <Link to={links.newest}>{t('audit.paging.newest')}</Link> : null}
        </nav>
      ) : null}
      <p className="link-row">
        <Link to="/staff">{t('audit.back')}</Link>
      </p>
    </article>
  )
}
