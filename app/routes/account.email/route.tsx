import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { limitEmailChangeCode } from '~/accounts/account-limits.server'
import { cancelEmailChange, confirmEmailChange, sendEmailChangeCode } from '~/accounts/email-change.server'
import { requireMemberAtStep } from '~/accounts/member-guard.server'
import { nextStepPath, stepsOf } from '~/accounts/required-actions'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { sixDigitCodeField } from '~/forms/fields'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { StepIndicator } from '~/ui/step-indicator'
import { StepsSignOut } from '~/ui/steps-sign-out'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['account'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const account = await requireMemberAtStep(request, 'verify_email')
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'account', 'email'),
      csrf: token,
      steps: stepsOf(account.openActions),
      newEmail: account.pendingEmail ?? '',
      // A member adding their first address (told by postcard): there is no old address to keep or tell.
      first: !account.details.email,
    },
    { headers },
  )
}

const code = sixDigitCodeField({ required: 'required', format: 'invalid' })
const emailCodeForm = boundedForm(
  { intent: choiceField(['confirm', 'resend', 'cancel'], { invalid: 'invalid' }), code },
  () =>
    z.discriminatedUnion('intent', [
      z.object({ intent: z.literal('confirm').default('confirm'), code: code.schema }),
      z.object({ intent: z.literal('resend') }),
      z.object({ intent: z.literal('cancel') }),
    ]),
)

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const account = await requireMemberAtStep(request, 'verify_email')
  const parsed = readForm(post.form, emailCodeForm)
  if (!parsed.success)
    return invalid({ error: parsed.error.issues[0]?.message === 'required' ? 'required' : 'invalid' })
  const store = { db: db(), crypto: portalCrypto() }
  const mail = {
    language: await requestLanguage(request),
    portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
  }
  switch (parsed.data.intent) {
    case 'cancel': {
      await cancelEmailChange(store, account)
      return redirect(nextStepPath(account.openActions.filter((step) => step !== 'verify_email')), 303)
    }
    case 'resend': {
      const limit = await limitEmailChangeCode(store, { account, address: account.pendingEmail ?? '' })
      if (limit.limited) return tooManyRequests(limit)
      await sendEmailChangeCode(store, { account, ...mail })
      return data({ resent: true }, { headers: PERSONAL_PAGE_HEADERS })
    }
    case 'confirm': {
      if (!(await confirmEmailChange(store, { account, code: parsed.data.code, ...mail }))) {
        await countFailure(post.ip)
        return invalid({ error: 'invalid' })
      }
      const saved = account.details.email ? 'email' : 'emailAdded'
      return redirect(
        `${nextStepPath(account.openActions.filter((step) => step !== 'verify_email'))}?saved=${saved}`,
        303,
      )
    }
  }
}

export default function NewEmailPage() {
  const { t } = useTranslation('account')
  const { csrf, steps, newEmail, first } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const error = result && 'error' in result ? result.error : undefined
  return (
    <article className="prose account">
      <StepIndicator steps={steps} current="verify_email" />
      {searchParams.get('saved') === 'details' ? (
        <p className="callout" role="status">
          {t('details.confirmed')}
        </p>
      ) : null}
      <h1>{t('email.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {result && 'resent' in result ? (
        <p className="callout" role="status">
          {t('email.resent')}
        </p>
      ) : null}
      <p>{t(first ? 'email.introFirst' : 'email.intro', { email: newEmail })}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          label={t('email.label')}
          error={error ? t(`email.errors.${error}`) : undefined}
        />
        <button type="submit" name="intent" value="confirm" className="button button--primary">
          {t('email.submit')}
        </button>
      </Form>
      <Form method="post" className="inline-actions">
        <CsrfField token={csrf} announce={false} />
        <button type="submit" name="intent" value="resend" className="button button--secondary">
          {t('email.resend')}
        </button>{' '}
        <button type="submit" name="intent" value="cancel" className="button button--secondary">
          {t(first ? 'email.cancelFirst' : 'email.cancel')}
        </button>
      </Form>
      <StepsSignOut csrf={csrf} />
    </article>
  )
}
