import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm, textField } from '~/forms/bounded-form'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { hitLimit, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { PasskeyCeremony } from '~/staff/passkey-ceremony'
import { relyingParty } from '~/staff/passkey-relying-party.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { PASSKEY_ANSWER_MAX, passkeyAnswerSchema, secondFactorCodeSchema } from '~/staff/staff-fields'
import {
  loadSecondFactorStep,
  type SecondFactorSubmission,
  submitPasskey,
  submitSecondFactor,
} from '~/staff/staff-mfa-step.server'
import { requireStaff, staffSessions } from '~/staff/staff-session.server'
import { stepUpReturn } from '~/staff/staff-step-up.server'
import { RecoveryCodes, TotpEnrolment } from '~/staff/totp-enrolment-view'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireStaff(request, { allowPasswordOnly: true })
  const next = stepUpReturn(new URL(request.url).searchParams.get('next'))
  const step = await loadSecondFactorStep({
    db: db(),
    crypto: portalCrypto(),
    session,
    party: relyingParty(request),
  })
  const { token, headers } = await personalFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'staff', 'mfa'), csrf: token, next, step }, { headers })
}

const intentField = choiceField(['enrol', 'verify', 'passkey'], { invalid: 'format', fallback: 'verify' })
const nextField = textField({ max: 200, required: 'format', tooLong: 'format' }, (text) => text.optional())

const stepForm = boundedForm({ intent: intentField, next: nextField })
const codeForm = boundedForm({
  code: {
    max: 40,
    tooLong: 'format',
    schema: secondFactorCodeSchema({ required: 'required', invalid: 'format' }),
  },
})
const passkeyForm = boundedForm({
  credential: {
    max: PASSKEY_ANSWER_MAX,
    tooLong: 'passkey',
    schema: passkeyAnswerSchema({ invalid: 'passkey' }),
  },
})

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaff(request, { allowPasswordOnly: true })
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const perIp = await hitLimit(db(), portalCrypto(), limits.staffSignInsPerIp, post.ip.address)
  if (perIp.limited) return tooManyRequests(perIp)
  const step = readForm(post.form, stepForm)
  if (!step.success) return invalid({ refused: 'format' } as const)
  const next = stepUpReturn(step.data.next)
  const clientIpIndex = auditClientIpIndex(context, portalCrypto().index)
  const common = { db: db(), crypto: portalCrypto(), session, clientIpIndex }
  let outcome: SecondFactorSubmission
  if (step.data.intent === 'passkey') {
    const answer = readForm(post.form, passkeyForm)
    if (!answer.success) return invalid({ refused: 'passkey' } as const)
    outcome = await submitPasskey({
      ...common,
      party: relyingParty(request),
      response: answer.data.credential,
    })
  } else {
    const parsed = readForm(post.form, codeForm)
    if (!parsed.success) {
      return invalid({
        refused: parsed.error.issues[0]?.message === 'required' ? 'required' : 'format',
      } as const)
    }
    outcome = await submitSecondFactor({ ...common, intent: step.data.intent, code: parsed.data.code })
  }
  if ('done' in outcome) {
    if (outcome.done === 'enrolled') return data({ recoveryCodes: outcome.recoveryCodes, next })
    return redirect(next, { status: 303 })
  }
  await countFailure(post.ip)
  if (outcome.refused === 'locked') {
    // The account is locked now: the sign-in ends (so this page's loader would only send the
    // browser away), and the sign-in page says why; the next try starts from the password.
    const setCookie = await staffSessions().end(request)
    return redirect('/staff/login?ended=codes', { status: 303, headers: { 'Set-Cookie': setCookie } })
  }
  return invalid({ refused: outcome.refused })
}

export default function StaffMfaPage() {
  const { t } = useTranslation('staff')
  const { csrf, next, step } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const refused = result && 'refused' in result ? result.refused : undefined
  if (result && 'recoveryCodes' in result) {
    return <RecoveryCodes codes={result.recoveryCodes} next={result.next} />
  }
  const error = refused ? t(`mfa.refusals.${refused}`) : undefined
  const heading =
    step.mode === 'enrol' ? t('mfa.enrol.heading') : step.stepUp ? t('mfa.stepUp.heading') : t('mfa.heading')
  return (
    <article className="prose check">
      <h1>{heading}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {error ? (
        <p className="callout callout--error" role="alert">
          {error}
        </p>
      ) : null}
      {step.mode === 'enrol' ? <TotpEnrolment offer={step.offer} /> : null}
      {step.mode === 'verify' ? <p>{step.stepUp ? t('mfa.stepUp.intro') : t('mfa.intro')}</p> : null}
      {step.mode === 'verify' && step.passkeyOffered ? (
        <Form method="post" className="check-form">
          <CsrfField token={csrf} announce={false} />
          <input type="hidden" name="intent" value="passkey" />
          <input type="hidden" name="next" value={next} />
          <PasskeyCeremony ceremony="sign-in" csrf={csrf} label={t('mfa.passkey.submit')} />
          <h2 className="or-divider">{t('mfa.passkey.orCode')}</h2>
        </Form>
      ) : null}
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value={step.mode} />
        <input type="hidden" name="next" value={next} />
        <TextField
          id="code"
          name="code"
          autoComplete="one-time-code"
          inputMode={step.mode === 'enrol' ? 'numeric' : 'text'}
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={40}
          label={step.mode === 'enrol' ? t('mfa.enrol.codeLabel') : t('mfa.codeLabel')}
          hint={
            step.mode === 'enrol'
              ? t('mfa.enrol.codeHint')
              : step.passkeysRequired
                ? t('mfa.passkeysRequiredHint')
                : t('mfa.codeHint')
          }
          error={error}
        />
        <button type="submit" className="button button--primary">
          {step.mode === 'enrol' ? t('mfa.enrol.submit') : t('mfa.submit')}
        </button>
      </Form>
      {step.mode === 'verify' ? <p>{t('mfa.help')}</p> : null}
    </article>
  )
}
