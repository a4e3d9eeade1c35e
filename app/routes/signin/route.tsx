import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { signIn, signInLimitKey } from '~/accounts/sign-in.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { passwordField, signInNameField } from '~/forms/fields'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { checkLimit, hitLimit, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { startCheckedSession } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { DefaultSubmit } from '~/ui/default-submit'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'
import { PasswordField } from '~/ui/password-field'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['account'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  return data({ meta: await getSubPageMeta(request, 'account', 'signin'), csrf: token }, { headers })
}

// The field is named `email` as before (browsers and password managers remember it); it takes a member ID too.
const signInForm = boundedForm({
  email: signInNameField({ required: 'required', invalid: 'invalid' }),
  password: passwordField({ required: 'required', tooLong: 'failed' }),
  intent: choiceField(['signin', 'show', 'hide'], { invalid: 'invalid', fallback: 'signin' }),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const typed = String(post.form.get('email') ?? '').slice(0, 300)
  const parsed = readForm(post.form, signInForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'invalid', email: typed })
  const { email: name, password, intent } = parsed.data
  if (intent !== 'signin') {
    return data({ email: typed, password, shown: intent === 'show' }, { headers: PERSONAL_PAGE_HEADERS })
  }
  const limitKey = signInLimitKey(name)
  const perAccount = await checkLimit(db(), portalCrypto(), limits.signInFailuresPerAddress, limitKey)
  if (perAccount.limited) return tooManyRequests(perAccount, { email: typed })
  const outcome = await signIn({ db: db(), crypto: portalCrypto(), name, password })
  if (!outcome.ok) {
    // Counted whether or not the address or ID is known, so the limit says nothing either.
    await hitLimit(db(), portalCrypto(), limits.signInFailuresPerAddress, limitKey)
    await countFailure(post.ip)
    return invalid({ error: 'failed', email: typed })
  }
  const headers = await startCheckedSession(request, outcome.humanId, 'signin')
  return redirect('/account', { status: 303, headers })
}

export default function SignInPage() {
  const { t } = useTranslation('account')
  const { csrf } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? result.error : undefined
  return (
    <article className="prose check">
      <h1>{t('signin.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      <p>{t('signin.intro')}</p>
      {error === 'failed' ? (
        <p className="callout callout--error" role="alert">
          {t('signin.failed')}
        </p>
      ) : null}
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <DefaultSubmit name="intent" value="signin" />
        <TextField
          id="email"
          name="email"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={320}
          label={t('signin.nameLabel')}
          hint={t('signin.nameHint')}
          error={error && error !== 'failed' ? t(`signin.errors.${error}`) : undefined}
          defaultValue={result && 'email' in result ? result.email : undefined}
        />
        <PasswordField
          key={result && 'shown' in result ? String(result.shown) : 'initial'}
          id="password"
          name="password"
          autoComplete="current-password"
          label={t('signin.passwordLabel')}
          shown={result && 'shown' in result ? result.shown : false}
          defaultValue={result && 'password' in result ? result.password : undefined}
          showLabel={t('password.show')}
          hideLabel={t('password.hide')}
          maxLength={1024}
        />
        <button type="submit" name="intent" value="signin" className="button button--primary">
          {t('signin.submit')}
        </button>
      </Form>
      <ul className="link-list">
        <li>
          <Link to="/check/email">{t('signin.forgot')}</Link>
        </li>
        <li>
          <Link to="/check">{t('signin.firstTime')}</Link>
        </li>
      </ul>
      <p>
        <Trans
          t={t}
          i18nKey="signin.forgotNoEmail"
          values={{ email: SUPPORT_EMAIL }}
          components={{ mail: <MailLink address={SUPPORT_EMAIL} /> }}
        />
      </p>
      <SupportContact />
    </article>
  )
}
