import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { z } from 'zod'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { sixDigitCodeField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { getCustomerSession, sessionEnded, startCheckedSession } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import { TextField } from '~/ui/text-field'
import {
  checkEmailCode,
  type EmailChallengeRef,
  type EmailCodeState,
  emailCodeState,
} from '~/verify/email-code.server'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export const headers = personalPageHeaders

const challengeSchema = z.object({ type: z.literal('email'), target: z.string().regex(/^[0-9a-f]{32}$/) })

/**
 * The code the visitor is in the middle of entering; without one, the page that
 * says their check ended (or, checked already, their exposure view).
 */
async function pendingChallenge(request: Request): Promise<EmailChallengeRef> {
  const session = await getCustomerSession(request)
  const parsed = challengeSchema.safeParse(session?.challenge)
  if (parsed.success) return parsed.data
  throw session?.humanId ? redirect('/exposure') : await sessionEnded(request, 'email')
}

export async function loader({ request }: LoaderFunctionArgs) {
  const challenge = await pendingChallenge(request)
  const { token, headers } = await personalFormToken(request)
  // The same for a known and an unknown address: both have a row that counts the same way.
  const state = emailCodeState({ db: db(), crypto: portalCrypto() }, challenge)
  return data({ meta: await getSubPageMeta(request, 'check', 'emailCode'), csrf: token, state }, { headers })
}

const codeForm = boundedForm({ code: sixDigitCodeField({ required: 'required', format: 'format' }) })

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const challenge = await pendingChallenge(request)
  const parsed = readForm(post.form, codeForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'format' })
  const result = checkEmailCode({ db: db(), crypto: portalCrypto() }, challenge, parsed.data.code)
  if (!result.ok) {
    const limit = countFailure(post.ip)
    return limit.limited ? tooManyRequests(limit) : invalid({ error: result.reason })
  }
  const headers = await startCheckedSession(request, result.humanId, 'email')
  return redirect('/exposure', { status: 303, headers })
}

export default function EmailCodePage() {
  const { t } = useTranslation('check')
  const { csrf, state } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? t(`emailCode.errors.${result.error}`) : undefined
  // The loader runs again after every try, so `state` is the code's state after it.
  if (state !== 'live') return <DeadCode state={state} />
  return (
    <article className="prose check">
      <h1>{t('emailCode.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      <p>{t('emailCode.sent')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={20}
          label={t('emailCode.label')}
          error={error}
        />
        <button type="submit" className="button button--primary">
          {t('emailCode.submit')}
        </button>
      </Form>
      <p>{t('emailCode.noMail')}</p>
      <p>
        <Link to="/check/email">{t('emailCode.again')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}

/**
 * No code to try: what happened, what to do next (a new code, or once e-mail
 * codes are closed, the letter code) and whom to ask.
 */
function DeadCode({ state }: { state: Exclude<EmailCodeState, 'live'> }) {
  const { t } = useTranslation('check')
  return (
    <article className="prose check">
      <h1>{t(`emailCode.${state}.heading`)}</h1>
      <div className="callout callout--error" role="alert">
        <p>{t(`emailCode.${state}.what`)}</p>
      </div>
      <p>{t(`emailCode.${state}.next`)}</p>
      <p>
        {state === 'closed' ? (
          <Link to="/check/letter" className="button button--primary">
            {t('emailCode.closed.letter')}
          </Link>
        ) : (
          <Link to="/check/email" className="button button--primary">
            {t('emailCode.again')}
          </Link>
        )}
      </p>
      <p>
        <Trans
          t={t}
          i18nKey="emailCode.contact"
          values={{ email: SUPPORT_EMAIL }}
          components={{ mail: <MailLink address={SUPPORT_EMAIL} /> }}
        />
      </p>
    </article>
  )
}
