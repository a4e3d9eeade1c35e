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
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { draftView } from '~/returns/return-draft.server'
import { postReturnForm } from '~/returns/return-post.server'
import {
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import returnsStyles from '~/styles/returns.css'
import { pageMeta } from '~/ui/page-meta'
import { ReturnFormView } from './return-form-view'

export const handle = { i18n: ['returns', 'incident'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: returnsStyles }]

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  const view = await draftView({ db: db(), crypto: portalCrypto(), now: Date.now() }, request)
  return data(
    { meta: await getSubPageMeta(request, 'returns', 'new'), csrf: token, view: view ?? null },
    { headers },
  )
}

export async function action({ request, context }: ActionFunctionArgs) {
  const posted = await postReturnForm({ request, context, language: await requestLanguage(request) })
  if (posted.kind === 'malformed')
    return data({ malformed: true as const }, { status: 400, headers: PERSONAL_PAGE_HEADERS })
  if (posted.kind === 'refused') return posted.response
  const { outcome } = posted
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  if (outcome.setCookie) headers.append('Set-Cookie', outcome.setCookie)
  if (outcome.kind === 'codeSent') return redirect('/returns/confirm', { status: 303, headers })
  if (outcome.kind === 'limited') {
    headers.set('Retry-After', String(outcome.retryAfterSeconds))
    return data(
      { view: outcome.view, rateLimited: { retryAt: outcome.retryAt.toISOString() } },
      { status: 429, headers },
    )
  }
  return data(
    { errors: outcome.errors, refused: outcome.refused, view: outcome.view },
    { status: 422, headers },
  )
}

const EMPTY_TYPED = { email: '', reason: '', otherReason: '', number: '', description: '' }

export default function NewReturnPage() {
  const { t } = useTranslation('returns')
  const { csrf, view } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const posted = result && 'view' in result ? result.view : undefined
  // A form sent back for an expired token keeps what was typed, though nothing was saved.
  const expired = result && 'formExpiredToken' in result ? { ...EMPTY_TYPED, ...result } : undefined
  const shown = posted ?? (expired ? { typed: expired, photos: view?.photos ?? [] } : (view ?? undefined))
  const problems =
    result && 'errors' in result
      ? { errors: result.errors, refused: result.refused }
      : !result
        ? (view?.lastPost ?? undefined)
        : undefined
  return (
    <article className="prose returns">
      <h1>{t('new.heading')}</h1>
      <ReturnFormView
        csrf={csrf}
        typed={shown?.typed}
        photos={shown?.photos ?? []}
        problems={problems}
        rateLimited={result && 'rateLimited' in result ? result.rateLimited : undefined}
        malformed={Boolean(result && 'malformed' in result)}
      />
      <p className="link-row">
        <Link to="/returns/status">{t('filed.status')}</Link>
      </p>
    </article>
  )
}
