import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { sixDigitCodeField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { clearDraftCookie } from '~/returns/return-draft.server'
import { draftAwaitingCode, fileReturnWithCode, resendReturnCode } from '~/returns/return-filing.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import returnsStyles from '~/styles/returns.css'
import { CsrfField } from '~/ui/csrf-field'
import { OneTimeCodeField } from '~/ui/one-time-code-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import { FiledReceipt } from './filed-receipt'

export const handle = { i18n: ['returns'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: returnsStyles }]

const context = () => ({ db: db(), crypto: portalCrypto(), now: Date.now() })

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  const waiting = await draftAwaitingCode(context(), request)
  return data(
    {
      meta: await getSubPageMeta(request, 'returns', 'confirm'),
      csrf: token,
      waiting: waiting ? { email: waiting.details.email, state: waiting.state } : null,
    },
    { headers },
  )
}

const code = sixDigitCodeField({ required: 'required', format: 'format' })
const codeForm = boundedForm(
  { intent: choiceField(['confirm', 'resend'], { invalid: 'format' }), code },
  () =>
    z.discriminatedUnion('intent', [
      z.object({ intent: z.literal('confirm').default('confirm'), code: code.schema }),
      z.object({ intent: z.literal('resend') }),
    ]),
)

export async function action({ request, context: load }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, load)
  if (post.refused) return post.response
  const parsed = readForm(post.form, codeForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'format' })
  const portalAddress = printedPortalAddress(getConfig().PUBLIC_URL)
  if (parsed.data.intent === 'resend') {
    const sent = await resendReturnCode(context(), { request, portalAddress })
    if (!sent) return data({ noDraft: true as const }, { status: 410, headers: PERSONAL_PAGE_HEADERS })
    if (sent.limited) return tooManyRequests(sent)
    return data({ resent: true as const }, { headers: PERSONAL_PAGE_HEADERS })
  }
  const outcome = await fileReturnWithCode(context(), {
    request,
    typedCode: parsed.data.code,
    clientIpIndex: auditClientIpIndex(load, portalCrypto().index),
    portalAddress,
  })
  if (outcome.kind === 'noDraft')
    return data({ noDraft: true as const }, { status: 410, headers: PERSONAL_PAGE_HEADERS })
  if (outcome.kind === 'refused') {
    const limit = await countFailure(post.ip)
    if (limit.limited) return tooManyRequests(limit)
    return invalid({ error: outcome.reason })
  }
  const headers = new Headers(PERSONAL_PAGE_HEADERS)
  headers.append('Set-Cookie', clearDraftCookie())
  return data({ filed: { reference: outcome.reference, email: outcome.email } }, { headers })
}

export default function ConfirmReturnPage() {
  const { t } = useTranslation('returns')
  const { csrf, waiting } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  if (result && 'filed' in result) return <FiledReceipt {...result.filed} />
  if (!waiting || (result && 'noDraft' in result)) return <NoDraft />
  const error = result && 'error' in result ? t(`confirm.errors.${result.error}`) : undefined
  const dead = waiting.state !== 'live' && !(result && 'resent' in result)
  return (
    <article className="prose check returns">
      <h1>{t('confirm.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {result && 'resent' in result ? (
        <p className="callout" role="status">
          {t('confirm.resent')}
        </p>
      ) : null}
      {dead && !error ? (
        <p className="callout callout--error" role="alert">
          {t(`confirm.errors.${waiting.state === 'live' ? 'expired' : waiting.state}`)}
        </p>
      ) : null}
      <p>{t('confirm.intro', { email: waiting.email })}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <OneTimeCodeField label={t('confirm.label')} hint={t('confirm.hint')} error={error} />
        <button type="submit" name="intent" value="confirm" className="button button--primary">
          {t('confirm.submit')}
        </button>
      </Form>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} announce={false} />
        <button type="submit" name="intent" value="resend" className="button">
          {t('confirm.resend')}
        </button>
      </Form>
      <p className="link-row">
        <Link to="/returns/new">{t('confirm.change')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}

function NoDraft() {
  const { t } = useTranslation('returns')
  return (
    <article className="prose check returns">
      <h1>{t('confirm.noDraft.heading')}</h1>
      <p>{t('confirm.noDraft.body')}</p>
      <p className="link-row">
        <Link to="/returns/new">{t('confirm.start')}</Link>
        <Link to="/returns/status">{t('filed.status')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}
