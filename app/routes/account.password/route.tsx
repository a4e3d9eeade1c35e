import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { limitAccountPost } from '~/accounts/account-limits.server'
import { requireMemberForPassword } from '~/accounts/member-guard.server'
import { meterReadingOf, passwordStrength } from '~/accounts/password-meter.server'
import { resetPassword } from '~/accounts/password-reset.server'
import { nextStepPath, stepsOf } from '~/accounts/required-actions'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { passwordField } from '~/forms/fields'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { assertSafeRequest } from '~/session/csrf.server'
import { renewAfterPasswordChange } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { DefaultSubmit } from '~/ui/default-submit'
import { pageMeta } from '~/ui/page-meta'
import { PasswordField } from '~/ui/password-field'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { StepIndicator } from '~/ui/step-indicator'
import { StepsSignOut } from '~/ui/steps-sign-out'
import { type Strength, StrengthMeter } from '~/ui/strength-meter'

export const handle = { i18n: ['account'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const account = await requireMemberForPassword(request)
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'account', 'password'),
      csrf: token,
      // No indicator for a change the member chose to make.
      steps: account.openActions.includes('reset_password') ? stepsOf(account.openActions) : null,
      minLength: getConfig().PASSWORD_MIN_LENGTH,
      username: account.details.email ?? account.memberId,
    },
    { headers },
  )
}

const passwordForm = boundedForm({
  password: passwordField({ tooLong: 'tooLong' }),
  intent: choiceField(['save', 'show', 'hide'], { invalid: 'tooLong', fallback: 'save' }),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  await assertSafeRequest(request, form)
  const account = await requireMemberForPassword(request)
  const parsed = readForm(form, passwordForm)
  if (!parsed.success) return invalid({ refusals: ['tooLong'], strength: null })
  const { password, intent } = parsed.data
  if (intent !== 'save') {
    // The show/hide button without JavaScript: the same form back, the field the other way (without
    // the strength reading once the account or client has had its share of them).
    const reading = password ? await limitAccountPost(context, { post: 'strength', account }) : undefined
    const strength =
      password && !reading?.limited
        ? await passwordStrength({ password, account, config: getConfig() })
        : null
    return data(
      { shown: intent === 'show', password, strength, strengthPaused: reading?.limited === true },
      { headers: PERSONAL_PAGE_HEADERS },
    )
  }
  if (!password) return invalid({ refusals: ['required'], strength: null })
  const tries = await limitAccountPost(context, { post: 'password', account })
  if (tries.limited) return tooManyRequests(tries, { strength: null })
  const outcome = await resetPassword({
    db: db(),
    crypto: portalCrypto(),
    config: getConfig(),
    account,
    password,
    language: await requestLanguage(request),
  })
  if (!outcome.ok)
    return invalid({ refusals: outcome.verdict.refusals, strength: meterReadingOf(outcome.verdict) })
  // Everyone else signed in as this member is out, and this session goes on under a new ID.
  const setCookie = await renewAfterPasswordChange(request, account.humanId)
  const remaining = account.openActions.filter((step) => step !== 'reset_password')
  return redirect(`${nextStepPath(remaining)}?saved=password`, {
    status: 303,
    headers: { 'Set-Cookie': setCookie },
  })
}

export default function NewPasswordPage() {
  const { t } = useTranslation('account')
  const { csrf, steps, minLength, username } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const refusals = result && 'refusals' in result ? result.refusals : []
  const serverStrength = result?.strength ?? null
  const live = useLiveStrength(csrf)
  const strength = live.strength ?? serverStrength
  const strengthPaused =
    live.paused || (result !== undefined && 'strengthPaused' in result && result.strengthPaused)
  return (
    <article className="prose account">
      {steps ? <StepIndicator steps={steps} current="reset_password" /> : null}
      <h1>{t('password.heading')}</h1>
      <p>{t('password.intro')}</p>
      <p>{t('password.advice', { min: minLength })}</p>
      {result && 'rateLimited' in result ? (
        <>
          <RateLimitedNotice retryAt={result.rateLimited.retryAt} />
          <p>{t('password.rateLimited')}</p>
        </>
      ) : null}
      {refusals.length > 0 ? (
        <div className="callout callout--error" role="alert">
          <p>
            <strong>{t('password.refusalsHeading')}</strong>
          </p>
          <ul>
            {refusals.map((refusal) => (
              <li key={refusal}>{t(`password.refusals.${refusal}`, { min: minLength })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" className="check-form" noValidate onSubmit={live.cancel}>
        <CsrfField token={csrf} />
        <DefaultSubmit name="intent" value="save" />
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <PasswordField
          key={result && 'shown' in result ? String(result.shown) : 'initial'}
          id="password"
          name="password"
          autoComplete="new-password"
          label={t('password.label')}
          hint={t('password.hint', { min: minLength })}
          error={refusals.length > 0 ? t(`password.refusals.${refusals[0]}`, { min: minLength }) : undefined}
          shown={result && 'shown' in result ? result.shown : false}
          defaultValue={result && 'password' in result ? result.password : undefined}
          showLabel={t('password.show')}
          hideLabel={t('password.hide')}
          maxLength={1024}
          onChange={(event) => live.check(event.currentTarget.value)}
        />
        <StrengthMeter
          id="password-strength"
          strength={strength}
          minLength={minLength}
          paused={strengthPaused}
          refusalsShownAbove={live.strength === null && refusals.length > 0}
        />
        <button type="submit" name="intent" value="save" className="button button--primary">
          {t('password.submit')}
        </button>
      </Form>
      <StepsSignOut csrf={csrf} />
    </article>
  )
}

/**
 * With JavaScript, the meter follows the typing: the server scores it (zxcvbn
 * is too big to ship to phones). A plain fetch, not a fetcher, so no check
 * makes Remix reload the page's data under the member's next submit.
 */
function useLiveStrength(csrf: string) {
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const inFlight = useRef<AbortController>()
  const [strength, setStrength] = useState<Strength | null>(null)
  // Until when the server asked the meter to rest (429): no requests before then.
  const [pausedUntil, setPausedUntil] = useState<number | null>(null)
  const cancel = useCallback(() => {
    clearTimeout(timer.current)
    inFlight.current?.abort()
  }, [])
  useEffect(() => cancel, [cancel])
  return {
    strength,
    paused: pausedUntil !== null,
    cancel,
    check(password: string) {
      cancel()
      if (pausedUntil !== null && Date.now() < pausedUntil) return
      timer.current = setTimeout(async () => {
        const controller = new AbortController()
        inFlight.current = controller
        try {
          const response = await fetch('/account/password-strength', {
            method: 'POST',
            body: new URLSearchParams({ csrf, password }),
            signal: controller.signal,
          })
          if (response.status === 429) {
            const body = (await response.json()) as { rateLimited?: { retryAt?: string } }
            const retryAt = Date.parse(body.rateLimited?.retryAt ?? '')
            setPausedUntil(Number.isNaN(retryAt) ? Date.now() + 60_000 : retryAt)
            setStrength(null)
          } else if (response.ok) {
            setPausedUntil(null)
            setStrength(((await response.json()) as { strength: Strength | null }).strength)
          }
        } catch {
          // Aborted by the next keystroke or the submit, or offline: the meter just stays as it was.
        }
      }, 300)
    },
  }
}
