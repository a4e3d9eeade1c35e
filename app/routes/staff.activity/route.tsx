import { data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { PERSONAL_PAGE_HEADERS, personalPageHeaders } from '~/security/personal-page.server'
import { Moment } from '~/staff/moment'
import { staffActivity } from '~/staff/staff-activity.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import casesStyles from '~/styles/staff-cases.css'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: casesStyles }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, { role: 'supervisor' })
  const activity = await staffActivity({ db: db(), crypto: portalCrypto() })
  return data(
    { meta: await getSubPageMeta(request, 'staff', 'activity'), ...activity },
    { headers: PERSONAL_PAGE_HEADERS },
  )
}

const COLUMNS = ['searches', 'opens', 'reveals', 'actions', 'refusals', 'budgetAlerts'] as const

/** Each staff member's case work over the last day, as a table; who met a budget first. */
export default function StaffActivityPage() {
  const { t } = useTranslation('staff')
  const { rows, alerts } = useLoaderData<typeof loader>()
  return (
    <article className="prose activity">
      <h1>{t('activity.heading')}</h1>
      <p>{t('activity.intro')}</p>
      {alerts > 0 ? (
        <p className="callout callout--error" role="alert">
          {t('activity.alerts', { count: alerts })}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p>{t('activity.none')}</p>
      ) : (
        <section
          className="table-scroll"
          aria-labelledby="activity-caption"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls within itself on a phone, and a keyboard scrolls only what has focus (WCAG 2.1.1)
          tabIndex={0}
        >
          <table className="activity-table">
            <caption id="activity-caption">{t('activity.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('activity.columns.staff')}</th>
                {COLUMNS.map((column) => (
                  <th key={column} scope="col">
                    {t(`activity.columns.${column}`)}
                  </th>
                ))}
                <th scope="col">{t('activity.columns.lastAt')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.staffId} className={row.budgetAlerts > 0 ? 'activity-table__alert' : undefined}>
                  <th scope="row">
                    {row.name ?? row.staffId} <span className="case-record__id">{row.staffId}</span>
                  </th>
                  {COLUMNS.map((column) => (
                    <td key={column}>{row[column]}</td>
                  ))}
                  <td>
                    <Moment at={row.lastAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <ul className="link-list">
        <li>
          <Link to="/staff/audit">{t('activity.auditLink')}</Link>
        </li>
        <li>
          <Link to="/staff">{t('activity.back')}</Link>
        </li>
      </ul>
    </article>
  )
}
