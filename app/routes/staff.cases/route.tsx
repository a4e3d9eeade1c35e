import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { readGuardedPost } from '~/security/form-post.server'
import {
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { runCaseSearch } from '~/staff/case-search-page.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import casesStyles from '~/styles/staff-cases.css'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { CaseResults } from './case-results'
import { CaseSearchForm } from './case-search-form'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: casesStyles }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request)
  const { token, headers } = await personalFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'staff', 'cases'), csrf: token }, { headers })
}

// A POST, never a GET: what a caller reads out must not end up in a URL, a history or a log.
export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaff(request)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const answer = await runCaseSearch({ db: db(), crypto: portalCrypto(), session, context, form: post.form })
  switch (answer.kind) {
    case 'rateLimited':
      return tooManyRequests(answer.limit, { typed: answer.typed })
    case 'invalid':
      return data(answer, { status: 422, headers: PERSONAL_PAGE_HEADERS })
    case 'found':
      return data(answer, { headers: PERSONAL_PAGE_HEADERS })
  }
}

export default function StaffCasesPage() {
  const { t } = useTranslation('staff')
  const { csrf } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const invalid = answer && 'kind' in answer && answer.kind === 'invalid' ? answer : undefined
  const found = answer && 'kind' in answer && answer.kind === 'found' ? answer : undefined
  return (
    <article className="prose cases">
      <h1>{t('cases.heading')}</h1>
      <p>{t('cases.intro')}</p>
      {answer && 'rateLimited' in answer ? <RateLimitedNotice retryAt={answer.rateLimited.retryAt} /> : null}
      <CaseSearchForm
        csrf={csrf}
        typed={answer && 'typed' in answer ? answer.typed : undefined}
        errors={invalid?.errors ?? {}}
      />
      {found ? <CaseResults answer={found} /> : null}
    </article>
  )
}
