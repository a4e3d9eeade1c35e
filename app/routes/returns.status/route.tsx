import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { firstErrors, readForm } from '~/forms/bounded-form'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { readReturnReference } from '~/returns/return-reference.server'
import { askForStatusCode, openReturnStatus } from '~/returns/return-status.server'
import { statusForm } from '~/returns/status-form'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import returnsStyles from '~/styles/returns.css'
import { pageMeta } from '~/ui/page-meta'
import { StatusAskForm, StatusCodeForm } from './status-forms'
import { StatusView } from './status-view'

export const handle = { i18n: ['returns', 'incident'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: returnsStyles }]

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'returns', 'status'), csrf: token }, { headers })
}

const context = () => ({ db: db(), crypto: portalCrypto(), now: Date.now() })

export async function action({ request, context: load }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, load)
  if (post.refused) return post.response
  const typed = {
    reference: String(post.form.get('reference') ?? '').slice(0, 40),
    email: String(post.form.get('email') ?? '').slice(0, 320),
  }
  const parsed = readForm(post.form, statusForm)
  const step = post.form.get('intent') === 'view' ? ('code' as const) : ('ask' as const)
  if (!parsed.success) return invalid({ step, typed, errors: firstErrors<string>(parsed.error.issues) })
  const reference = readReturnReference(parsed.data.reference)
  if (!reference) return invalid({ step: 'ask' as const, typed, errors: { reference: 'referenceInvalid' } })
  const lookup = { reference, email: parsed.data.email }
  if (parsed.data.intent === 'ask') {
    const sent = await askForStatusCode(context(), {
      lookup,
      language: await requestLanguage(request),
      portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
    })
    if (sent.limited) return tooManyRequests(sent, { step: 'ask' as const, typed })
    return data(
      { step: 'code' as const, typed: { reference, email: parsed.data.email.shown } },
      { headers: PERSONAL_PAGE_HEADERS },
    )
  }
  const outcome = await openReturnStatus(context(), { lookup, typedCode: parsed.data.code })
  if (outcome.kind === 'refused') {
    const limit = await countFailure(post.ip)
    if (limit.limited) return tooManyRequests(limit, { step: 'code' as const, typed })
    return invalid({ step: 'code' as const, typed, errors: { code: outcome.reason } })
  }
  if (outcome.kind === 'notFound')
    return data(
      { step: 'notFound' as const, typed: { reference, email: parsed.data.email.shown } },
      { status: 404, headers: PERSONAL_PAGE_HEADERS },
    )
  return data({ step: 'view' as const, view: outcome.view }, { headers: PERSONAL_PAGE_HEADERS })
}

export default function ReturnStatusPage() {
  const { t } = useTranslation('returns')
  const { csrf } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const step = result && 'step' in result ? result.step : 'ask'
  if (result && 'view' in result) return <StatusView view={result.view} />
  const typed = result && 'typed' in result ? result.typed : undefined
  const errors = result && 'errors' in result ? (result.errors as Partial<Record<string, string>>) : {}
  const rateLimited = result && 'rateLimited' in result ? result.rateLimited : undefined
  return (
    <article className="prose check returns">
      <h1>{t('status.heading')}</h1>
      {step === 'notFound' && typed ? (
        <div className="callout callout--error" role="alert">
          <p>
            <strong>{t('status.notFound.heading')}</strong>
          </p>
          <p>{t('status.notFound.body', { reference: typed.reference })}</p>
        </div>
      ) : null}
      {step === 'code' && typed ? (
        <StatusCodeForm csrf={csrf} typed={typed} errors={errors} rateLimited={rateLimited} />
      ) : (
        <StatusAskForm csrf={csrf} typed={typed} errors={errors} rateLimited={rateLimited} />
      )}
      <p className="link-row">
        <Link to="/returns/new">{t('confirm.start')}</Link>
      </p>
    </article>
  )
}
