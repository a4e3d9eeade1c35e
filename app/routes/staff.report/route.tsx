import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { PERSONAL_PAGE_HEADERS, personalPageHeaders } from '~/security/personal-page.server'
import { BreachReportSection } from '~/staff/breach-report-section'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

/** The breach report's own page, for supervisors (an agent sent here from the download gets the 403 page). */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, { role: 'supervisor' })
  return data({ meta: await getSubPageMeta(request, 'staff', 'report') }, { headers: PERSONAL_PAGE_HEADERS })
}

export default function StaffReportPage() {
  const { t } = useTranslation('staff')
  return (
    <article className="prose check">
      <h1>{t('report.pageHeading')}</h1>
      <BreachReportSection />
      <p className="link-row">
        <Link to="/staff">{t('report.back')}</Link>
      </p>
    </article>
  )
}
