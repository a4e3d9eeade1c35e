import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm, textField } from '~/forms/bounded-form'
import { dateFormat } from '~/i18n/date-format'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { startCheckedSession } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { MailLink } from '~/ui/incident/mail-link'
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
  // Left empty, it is still checked: a call-back confirmation from support may stand in for it.
  proof: textField({ max: 64, required: 'proofRequired', tooLong: 'noMatch' }, (text) => text.trim()),
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
  const validUntil = getConfig().LETTER_CODE_VALID_UNTIL
  const result = await checkLetterCode({ db: db(), crypto: portalCrypto(), validUntil }, parsed.data)
  if (result.ok) {
    const headers = await startCheckedSession(request, result.humanId, 'letter')
    return redirect('/exposure', { status: 303, headers })
  }
  switch (result.reason) {
    // A typo the check symbol caught looked nothing up: no attempt to count.
    case 'check_the_code':
      return invalid({ field: 'code' as Field, error: 'checkTheCode', code })
    // Nor did a date that names no real day: it is typed again, and no try is spent.
    case 'unreadable_date':
      return invalid({ field: 'proof' as Field, error: 'unreadableDate', code })
    // Nothing typed and no call-back confirmation waiting, whatever the code: asked for, not counted.
    case 'proof_required':
      return invalid({ field: 'proof' as Field, error: 'proofRequired', code })
    // Every code ends on one day: nothing about this one, nothing to count.
    case 'expired':
      return data(
        { dead: 'expired' as const, lastDay: validUntil },
        { status: 403, headers: PERSONAL_PAGE_HEADERS },
      )
    // Proven, but the member's own password is the way in now; no session from the letter.
    case 'sign_in_instead':
      return data({ signInInstead: { memberId: result.memberId } }, { headers: PERSONAL_PAGE_HEADERS })
  }
  const limit = await countFailure(post.ip)
  if (limit.limited) return tooManyRequests(limit, { code })
  if (result.reason === 'locked')
    return data(
      { dead: 'locked' as const, lastDay: validUntil },
      { status: 403, headers: PERSONAL_PAGE_HEADERS },
    )
  return invalid({ field: 'proof' as Field, error: 'noMatch', code })
}

export default function CheckByLetterPage() {
  const { t } = useTranslation('check')
  const { csrf } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  if (result && 'dead' in result) return <DeadLetterCode state={result.dead} lastDay={result.lastDay} />
  if (result && 'signInInstead' in result) return <SignInInstead memberId={result.signInInstead.memberId} />
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
      <p className="link-row">
        <Link to="/check/email">{t('letter.otherWay')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}

const support = {
  values: { email: SUPPORT_EMAIL },
  components: { mail: <MailLink address={SUPPORT_EMAIL} /> },
}

/**
 * A code that cannot open the page any more, and not by a typo: locked by
 * wrong second factors (staff unlock it) or past the last day of letter
 * codes. What happened, what to have at hand, whom to contact.
 */
function DeadLetterCode({ state, lastDay }: { state: 'locked' | 'expired'; lastDay: string }) {
  const { t, i18n } = useTranslation('check')
  const date = dateFormat(i18n.language, { dateStyle: 'long' }).format(new Date(`${lastDay}T12:00:00+09:00`))
  const readyItems = t('letter.locked.readyItems', { returnObjects: true }) as string[]
  return (
    <article className="prose check">
      <h1>{t(`letter.${state}.heading`)}</h1>
      <div className="callout callout--error" role="alert">
        <p>{t(`letter.${state}.what`, { date })}</p>
      </div>
      <p>
        <Trans t={t} i18nKey={`letter.${state}.next`} {...support} />
      </p>
      {state === 'locked' ? (
        <>
          <p>{t('letter.locked.ready')}</p>
          <ul>
            {readyItems.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p>{t(`letter.${state}.emailWay`)}</p>
      <ul>
        <li>
          <Link to="/check/email">{t('letter.otherWay')}</Link>
        </li>
        {state === 'expired' ? (
          <li>
            <Link to="/signin">{t('letter.signInInstead.signIn')}</Link>
          </li>
        ) : (
          <li>
            <Link to="/check/letter" reloadDocument>
              {t('letter.tryAnother')}
            </Link>
          </li>
        )}
      </ul>
    </article>
  )
}

/** Proven by letter, but the member has a new password: the way in is signing in with it. */
function SignInInstead({ memberId }: { memberId: string }) {
  const { t } = useTranslation('check')
  return (
    <article className="prose check">
      <h1>{t('letter.signInInstead.heading')}</h1>
      <p className="callout" role="status">
        {t('letter.signInInstead.what', { memberId })}
      </p>
      <p>
        <Link to="/signin" className="button button--primary">
          {t('letter.signInInstead.signIn')}
        </Link>
      </p>
      <p>
        <Trans t={t} i18nKey="letter.signInInstead.forgot" {...support} />
      </p>
      <p>
        <Link to="/check/email">{t('letter.otherWay')}</Link>
      </p>
    </article>
  )
}
