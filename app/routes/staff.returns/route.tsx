import { data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { RETURN_QUEUE_LIMIT, viewReturnQueue } from '~/returns/staff-return-queue.server'
import { PERSONAL_PAGE_HEADERS, personalPageHeaders } from '~/security/personal-page.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import returnsStyles from '~/styles/staff-returns.css'
import { pageMeta } from '~/ui/page-meta'
import { ReturnQueueCounts, ReturnQueueFilterForm } from './return-queue-filter'
import { ReturnQueueTable } from './return-queue-table'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: returnsStyles }]

// A GET form: the filter holds no personal data, so it may sit in the address and be bookmarked.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  const page = await viewReturnQueue({
    db: db(),
    crypto: portalCrypto(),
    session,
    context,
    params: new URL(request.url).searchParams,
  })
  const meta = await getSubPageMeta(request, 'staff', 'returnQueue')
  return data(
    { meta, page },
    {
      status: page.ok ? 200 : 400,
      headers: PERSONAL_PAGE_HEADERS,
    },
  )
}

export default function StaffReturnQueuePage() {
  const { t } = useTranslation('staff')
  const { page } = useLoaderData<typeof loader>()
  return (
    <article className="prose returns">
      <h1>{t('returnQueue.heading')}</h1>
      <p>{t('returnQueue.intro')}</p>
      <ReturnQueueCounts counts={page.counts} />
      <ReturnQueueFilterForm filter={page.filter} errors={page.ok ? {} : page.errors} />
      {page.ok ? (
        <section aria-labelledby="return-queue-results">
          <h2 id="return-queue-results">{t('returnQueue.resultsHeading')}</h2>
          <p role="status">
            {page.total > page.rows.length
              ? t('returnQueue.countLimited', { count: page.total, shown: RETURN_QUEUE_LIMIT })
              : t('returnQueue.count', { count: page.total })}
          </p>
          {page.rows.length === 0 ? (
            <p>{t(page.filter.status === 'open' ? 'returnQueue.emptyOpen' : 'returnQueue.empty')}</p>
          ) : (
            <ReturnQueueTable rows={page.rows} />
          )}
        </section>
      ) : null}
      <p className="link-row">
        <Link to="/staff">{t('returnQueue.back')}</Link>
      </p>
    </article>
  )
}
