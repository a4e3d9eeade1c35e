import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { emailField, passwordField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { checkLimit, hitLimit, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { staffSessions } from '~/staff/staff-session.server'
import { signInStaff } from '~/staff/staff-sign-in.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

// Why a sign-in ended, when the second step ended it (too many wrong codes locked the account).
const endedReason = z.enum(['codes']).optional().catch(undefined)

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  const ended = endedReason.parse(new URL(request.url).searchParams.get('ended')?.slice(0, 16) ?? undefined)
  return data({ meta: await getSubPageMeta(request, 'staff', 'login'), csrf: token, ended }, { headers })
}

// A malformed address is answered like an unknown one: the page must not say which addresses are staff.
const loginForm = boundedForm({
  email: emailField({ required: 'required', invalid: 'failed' }),
  password: passwordField({ required: 'failed', tooLong: 'failed' }),
})

const emailOnly = boundedForm({ email: loginForm.fields.email })

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const typed = String(post.form.get('email') ?? '').slice(0, 300)
  const perIp = await hitLimit(db(), portalCrypto(), limits.staffSignInsPerIp, post.ip.address)
  if (perIp.limited) return tooManyRequests(perIp, { email: typed })
  const parsed = readForm(post.form, loginForm)
  if (!parsed.success) {
    const error = parsed.error.issues[0]?.message ?? 'failed'
    if (error === 'required') return invalid({ error, email: typed })
  }
  // An empty password with a real address is still a try at that account, and audited as one.
  const address = parsed.success ? parsed.data.email : readForm(post.form, emailOnly).data?.email
  const email = address?.matched
  const limitKey = `staff:${email ?? typed}`
  const perAccount = await checkLimit(db(), portalCrypto(), limits.staffSignInFailuresPerAddress, limitKey)
  if (perAccount.limited) return tooManyRequests(perAccount, { email: typed })
  const outcome = await signInStaff({
    db: db(),
    crypto: portalCrypto(),
    email,
    password: parsed.success ? parsed.data.password : '',
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  })
  if (!outcome.ok) {
    await hitLimit(db(), portalCrypto(), limits.staffSignInFailuresPerAddress, limitKey)
    await countFailure(post.ip)
    return invalid({ error: 'failed', email: typed })
  }
  const setCookie = await staffSessions().start({ request, staffId: outcome.staffId })
  return redirect(outcome.passwordMustChange ? '/staff/password' : '/staff/login/mfa', {
    status: 303,
    headers: { 'Set-Cookie': setCookie },
  })
}

export default function StaffLoginPage() {
  const { t } = useTranslation('staff')
  const { csrf, ended } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? result.error : undefined
  return (
    <article className="prose check">
      <h1>{t('login.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {ended && !result ? (
        <div className="callout callout--error" role="alert">
          <strong>{t('mfa.locked.heading')}</strong>
          <p>{t('mfa.locked.body')}</p>
        </div>
      ) : null}
      <p>{t('login.intro')}</p>
      {error === 'failed' ? (
        <p className="callout callout--error" role="alert">
          {t('login.failed')}
        </p>
      ) : null}
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={320}
          label={t('login.emailLabel')}
          error={error === 'required' ? t('login.errors.required') : undefined}
          defaultValue={result && 'email' in result ? result.email : undefined}
        />
        <TextField
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          maxLength={1024}
          label={t('login.passwordLabel')}
        />
        <button type="submit" className="button button--primary">
          {t('login.submit')}
        </button>
      </Form>
    </article>
  )
}
