import { data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { db } from '~/db.server'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { BreachReportSection } from '~/staff/breach-report-section'
import { DashboardFigures } from '~/staff/dashboard-figures'
import { DashboardProgress } from '~/staff/dashboard-progress'
import { budgetAlertCount } from '~/staff/staff-activity.server'
import { staffDashboard } from '~/staff/staff-dashboard.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import dashboardStyles from '~/styles/staff-dashboard.css'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: dashboardStyles }]

export const ErrorBoundary = StaffErrorBoundary

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'staff', 'home'),
      csrf: token,
      role: session.role,
      staffId: session.staffId,
      dashboard: await staffDashboard({ db: db(), language: await requestLanguage(request) }),
      // Supervisors see when an hourly budget stopped someone in the last day.
      budgetAlerts: session.role === 'supervisor' ? await budgetAlertCount({ db: db() }) : 0,
    },
    { headers },
  )
}

/**
 * The console's home: who is signed in, the dashboard, what exists so far,
 * the way out. Each part is a section under its own h2, so a part for
 * supervisors alone can be added as one more section.
 */
export default function StaffHomePage() {
  const { t } = useTranslation('staff')
  const { csrf, role, staffId, dashboard, budgetAlerts } = useLoaderData<typeof loader>()
  return (
    <article className="prose check staff-dashboard">
      <h1>{t('home.heading')}</h1>
      <p>{t('home.signedInAs', { role: t(`home.roles.${role}`), staffId })}</p>
      <p>{t('home.mfaNext')}</p>
      {budgetAlerts > 0 ? (
        <p className="callout callout--error" role="alert">
          {t('home.budgetAlerts', { count: budgetAlerts })}{' '}
          <Link to="/staff/activity">{t('home.activityLink')}</Link>
        </p>
      ) : null}
      <p className="button-row">
        <Link to="/staff/cases" className="button button--primary">
          {t('home.casesLink')}
        </Link>
        <Link to="/staff/returns" className="button button--secondary">
          {t('home.returnsLink')}
        </Link>
      </p>
      <DashboardFigures dashboard={dashboard} />
      <DashboardProgress progress={dashboard.progress} />
      {role === 'supervisor' ? <BreachReportSection /> : null}
      <h2>{t('home.linksHeading')}</h2>
      <ul className="link-list">
        <li>
          <Link to="/staff/passkeys">{t('home.passkeysLink')}</Link>
        </li>
        <li>
          <Link to="/staff/password">{t('home.passwordLink')}</Link>
        </li>
        {role === 'supervisor' ? (
          <>
            <li>
              <Link to="/staff/audit">{t('home.auditLink')}</Link>
            </li>
            <li>
              <Link to="/staff/people">{t('home.peopleLink')}</Link>
            </li>
            <li>
              <Link to="/staff/activity">{t('home.activityLink')}</Link>
            </li>
          </>
        ) : null}
      </ul>
      <Form method="post" action="/staff/logout">
        <CsrfField token={csrf} />
        <button type="submit" className="button button--secondary">
          {t('home.signOut')}
        </button>
      </Form>
    </article>
  )
}
