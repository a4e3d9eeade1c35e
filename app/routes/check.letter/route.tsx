import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm, textField } from '~/forms/bounded-form'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { startCheckedSession } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import { TextField } from '~/ui/text-field'
import { checkLetterCode } from '~/verify/letter-code-check.server'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'check', 'letter'), csrf: token }, { headers })
}

const letterForm = boundedForm({
  code: textField({ max: 64, required: 'codeRequired', tooLong: 'checkTheCode' }, (text) =>
    text.trim().min(1, 'codeRequired'),
  ),
  proof: textField({ max: 64, required: 'proofRequired', tooLong: 'noMatch' }, (text) =>
    text.trim().min(1, 'proofRequired'),
  ),
})

type Field = 'code' | 'proof'

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  // Only the code is echoed: the second factor is personal and typed again.
  const code = String(post.form.get('code') ?? '').slice(0, 64)
  const parsed = readForm(post.form, letterForm)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return invalid({ field: (issue?.path[0] ?? 'code') as Field, error: issue?.message ?? 'noMatch', code })
  }
  const result = checkLetterCode({ db: db(), crypto: portalCrypto() }, parsed.data)
  if (result.ok) {
    const headers = await startCheckedSession(request, result.humanId, 'letter')
    return redirect('/exposure', { status: 303, headers })
  }
  // A typo the check symbol caught looked nothing up: no attempt to count.
  if (result.reason === 'check_the_code')
    return invalid({ field: 'code' as Field, error: 'checkTheCode', code })
  // Nor did a date that names no real day: it is typed again, and no try is spent.
  if (result.reason === 'unreadable_date')
    return invalid({ field: 'proof' as Field, error: 'unreadableDate', code })
  const limit = countFailure(post.ip)
  if (limit.limited) return tooManyRequests(limit, { code })
  return invalid({ field: 'proof' as Field, error: 'noMatch', code })
}

export default function CheckByLetterPage() {
  const { t } = useTranslation('check')
  const { csrf } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = result && 'error' in result ? result : undefined
  const errorFor = (field: Field) =>
    failed?.field === field ? t(`letter.errors.${failed.error}`) : undefined
  return (
    <article className="prose check">
      <h1>{t('letter.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      <p>{t('letter.intro')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="code"
          name="code"
          type="text"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
          label={t('letter.codeLabel')}
          hint={t('letter.codeHint')}
          error={errorFor('code')}
          defaultValue={result && 'code' in result ? result.code : undefined}
        />
        <TextField
          id="proof"
          name="proof"
          type="text"
          autoComplete="off"
          maxLength={64}
          label={t('letter.proofLabel')}
          hint={t('letter.proofHint')}
          error={errorFor('proof')}
        />
        <button type="submit" className="button button--primary">
          {t('letter.submit')}
        </button>
      </Form>
      <p>
        <Link to="/check/email">{t('letter.otherWay')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}
