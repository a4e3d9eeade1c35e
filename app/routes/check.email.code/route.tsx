import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { sixDigitCodeField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { getCustomerSession, startVerifiedSession } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { TextField } from '~/ui/text-field'
import {
  checkFormToken,
  checkPageHeaders,
  countFailure,
  invalid,
  readCheckPost,
} from '~/verify/check-request.server'
import { checkEmailCode, type EmailChallengeRef } from '~/verify/email-code.server'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export const headers = checkPageHeaders

const challengeSchema = z.object({ type: z.literal('email'), target: z.string().regex(/^[0-9a-f]{32}$/) })

async function pendingChallenge(request: Request): Promise<EmailChallengeRef | undefined> {
  const session = await getCustomerSession(request)
  const parsed = challengeSchema.safeParse(session?.challenge)
  return parsed.success ? parsed.data : undefined
}

export async function loader({ request }: LoaderFunctionArgs) {
  if (!(await pendingChallenge(request))) throw redirect('/check/email')
  const { token, headers } = await checkFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'check', 'emailCode'), csrf: token }, { headers })
}

const codeForm = boundedForm({ code: sixDigitCodeField({ required: 'required', format: 'format' }) })

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readCheckPost(request, context)
  if (post.refused) return post.response
  const challenge = await pendingChallenge(request)
  if (!challenge) return redirect('/check/email', 303)
  const parsed = readForm(post.form, codeForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'format' })
  const result = checkEmailCode({ db: db(), crypto: portalCrypto() }, challenge, parsed.data.code)
  if (!result.ok) {
    const limit = countFailure(post.ip)
    return limit.limited ? tooManyRequests(limit) : invalid({ error: 'wrong' })
  }
  const setCookie = await startVerifiedSession(request, result.humanId)
  return redirect('/exposure', { status: 303, headers: { 'Set-Cookie': setCookie } })
}

export default function EmailCodePage() {
  const { t } = useTranslation('check')
  const { csrf } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? t(`emailCode.errors.${result.error}`) : undefined
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
    </article>
  )
}
