import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { passwordField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { hitLimit, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { changeStaffPassword } from '~/staff/staff-password-change.server'
import { STAFF_PASSWORD_MIN_LENGTH } from '~/staff/staff-password-policy.server'
import { requireStaff } from '~/staff/staff-session.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

const minLength = () => Math.max(STAFF_PASSWORD_MIN_LENGTH, getConfig().PASSWORD_MIN_LENGTH)

/**
 * The enrolment password's forced change right after the password step; any
 * later change of one's own password from a whole session (both factors),
 * which asks for the current password too.
 */
async function requirePasswordPage(request: Request) {
  const session = await requireStaff(request, { allowMustChange: true, allowPasswordOnly: true })
  if (!session.passwordMustChange && session.factor === 'password') throw redirect('/staff/login/mfa')
  return session
}

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requirePasswordPage(request)
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'staff', 'password'),
      csrf: token,
      minLength: minLength(),
      enrolment: session.passwordMustChange,
    },
    { headers },
  )
}

const passwordForm = boundedForm({
  password: passwordField({ required: 'required', tooLong: 'tooLong' }),
  currentPassword: passwordField({ tooLong: 'currentPasswordWrong' }),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requirePasswordPage(request)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const parsed = readForm(post.form, passwordForm)
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message
    const refusal = message === 'tooLong' || message === 'currentPasswordWrong' ? message : 'required'
    return invalid({ refusals: [refusal] })
  }
  // Each try may cost a breach lookup and an argon2 hash: bounded per account, as for members.
  const tries = await hitLimit(
    db(),
    portalCrypto(),
    limits.passwordTriesPerMember,
    `staff:${session.staffId}`,
  )
  if (tries.limited) return tooManyRequests(tries)
  const outcome = await changeStaffPassword({
    db: db(),
    keyring: portalCrypto().keyring,
    config: getConfig(),
    staffId: session.staffId,
    keepSessionIdHash: session.idHash,
    password: parsed.data.password,
    currentPassword: parsed.data.currentPassword,
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  })
  if (!outcome.ok) return invalid({ refusals: outcome.refusals })
  // At enrolment the authenticator app comes next; later, the member's own page says it is done.
  if (session.passwordMustChange) return redirect('/staff/login/mfa', { status: 303 })
  return data({ changed: true } as const)
}

export default function StaffPasswordPage() {
  const { t } = useTranslation('staff')
  const { csrf, minLength, enrolment } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const refusals = result && 'refusals' in result ? result.refusals : []
  const newPasswordRefusal = refusals.find((refusal) => refusal !== 'currentPasswordWrong')
  return (
    <article className="prose check">
      <h1>{enrolment ? t('password.heading') : t('password.changeHeading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {result && 'changed' in result ? (
        <div className="callout" role="status">
          <p>{t('password.changed')}</p>
          <p>
            <Link to="/staff">{t('password.back')}</Link>
          </p>
        </div>
      ) : null}
      <p>{enrolment ? t('password.intro') : t('password.changeIntro')}</p>
      <p>{t('password.advice', { min: minLength })}</p>
      {refusals.length > 0 ? (
        <div className="callout callout--error" role="alert">
          <strong>{t('password.refusalsHeading')}</strong>
          <ul>
            {refusals.map((refusal) => (
              <li key={refusal}>{t(`password.refusals.${refusal}`, { min: minLength })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        {enrolment ? null : (
          <TextField
            id="currentPassword"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            maxLength={1024}
            label={t('password.currentLabel')}
            error={
              refusals.includes('currentPasswordWrong')
                ? t('password.refusals.currentPasswordWrong')
                : undefined
            }
          />
        )}
        <TextField
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          maxLength={1024}
          label={t('password.label')}
          error={
            newPasswordRefusal ? t(`password.refusals.${newPasswordRefusal}`, { min: minLength }) : undefined
          }
        />
        <button type="submit" className="button button--primary">
          {t('password.submit')}
        </button>
      </Form>
    </article>
  )
}
