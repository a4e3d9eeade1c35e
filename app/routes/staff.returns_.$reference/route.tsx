import {
  type ActionFunctionArgs,
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  redirect,
} from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { readForm } from '~/forms/bounded-form'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import {
  addInternalReturnNote,
  changeReturnStatus,
  RETURN_DONE,
  returnIntentForm,
} from '~/returns/staff-return-actions.server'
import { openReturnRequest } from '~/returns/staff-return-request.server'
import { readGuardedPost } from '~/security/form-post.server'
import {
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import casesStyles from '~/styles/staff-cases.css'
import returnsStyles from '~/styles/staff-returns.css'
import { pageMeta } from '~/ui/page-meta'
import { ReturnActions } from './return-actions'
import { ReturnFacts } from './return-facts'
import { ReturnHistory } from './return-history'
import { ReturnNotFound } from './return-not-found'
import { ReturnPhotos } from './return-photos'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: casesStyles },
  { rel: 'stylesheet', href: returnsStyles },
]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  const { token, headers } = await personalFormToken(request)
  const meta = await getSubPageMeta(request, 'staff', 'returnView')
  const view = await openReturnRequest(
    { db: db(), crypto: portalCrypto(), session, context },
    params.reference,
  )
  const asked = new URL(request.url).searchParams.get('done')?.slice(0, 32)
  const done = RETURN_DONE.find((word) => word === asked) ?? null
  return data({ meta, csrf: token, view: view ?? null, done }, { status: view ? 200 : 404, headers })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const session = await requireStaff(request)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const intent = readForm(post.form, returnIntentForm)
  if (!intent.success)
    return data(
      {
        kind: 'invalid' as const,
        form: 'status' as const,
        errors: { status: 'returnView.errors.badRequest' },
      },
      { status: 400, headers: PERSONAL_PAGE_HEADERS },
    )
  const actor = { db: db(), crypto: portalCrypto(), session, context }
  const given = { referenceParam: params.reference, form: post.form }
  const answer =
    intent.data.intent === 'status'
      ? await changeReturnStatus(actor, given)
      : await addInternalReturnNote(actor, given)
  switch (answer.kind) {
    case 'done':
      return redirect(`/staff/returns/${params.reference}?done=${answer.done}`, {
        status: 303,
        headers: PERSONAL_PAGE_HEADERS,
      })
    case 'notFound':
      return data(answer, { status: 404, headers: PERSONAL_PAGE_HEADERS })
    case 'unchanged':
      return data(answer, { headers: PERSONAL_PAGE_HEADERS })
    case 'invalid':
      // A status nobody can choose is a forged or broken form; a note too long is one to correct.
      return data(answer, { status: answer.errors.status ? 400 : 422, headers: PERSONAL_PAGE_HEADERS })
  }
}

export default function StaffReturnPage() {
  const { t } = useTranslation('staff')
  const { csrf, view, done } = useLoaderData<typeof loader>()
  const posted = useActionData<typeof action>()
  // A stale form's or a limit's answer carries no `kind`: the page shows as after a plain load.
  const answer = posted && 'kind' in posted ? posted : undefined
  if (!view) return <ReturnNotFound />
  return (
    <article className="prose returns">
      <h1>
        {t('returnView.heading')} <span translate="no">{view.reference}</span>
      </h1>
      {done ? (
        <p className="callout callout--success" role="status">
          {t(`returnView.done.${done}`)}
        </p>
      ) : null}
      {answer?.kind === 'unchanged' ? (
        <p className="callout" role="status">
          {t('returnView.unchanged')}
        </p>
      ) : null}
      {answer?.kind === 'invalid' ? (
        <p className="callout callout--error" role="alert">
          {t('returnView.errors.summary')}
        </p>
      ) : null}
      <ReturnFacts view={view} />
      <ReturnPhotos reference={view.reference} photos={view.photos} />
      <ReturnActions
        csrf={csrf}
        status={view.status}
        errors={answer?.kind === 'invalid' ? answer : undefined}
      />
      <ReturnHistory events={view.events} />
      <p className="link-row">
        <Link to="/staff/returns">{t('returnView.backToQueue')}</Link>
      </p>
    </article>
  )
}
