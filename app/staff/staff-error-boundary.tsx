import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { GeneralErrorBoundary } from '~/ui/general-error-boundary'

/**
 * The error boundary of the staff pages: an agent on a supervisor's page is
 * told whom to ask (the 403 `requireStaff` throws); anything else is the
 * portal's usual error page.
 */
export function StaffErrorBoundary() {
  const error = useRouteError()
  const { t } = useTranslation('staff')
  const data: unknown = isRouteErrorResponse(error) ? error.data : undefined
  if (typeof data !== 'object' || data === null || !('staffForbidden' in data))
    return <GeneralErrorBoundary />
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
      <p className="link-row">
        <Link to="/staff">{t('forbidden.back')}</Link>
      </p>
    </section>
  )
}
