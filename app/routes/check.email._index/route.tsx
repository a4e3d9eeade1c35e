import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { emailField } from '~/forms/fields'
import { isLanguage } from '~/i18n/config'
import { i18nServer } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { saveChallenge } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import { TextField } from '~/ui/text-field'
import { askForEmailCode } from '~/verify/email-code-request.server'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'check', 'email'),
      csrf: token,
      notifyUnknown: getConfig().NOTIFY_UNKNOWN_ADDRESSES === 'on',
    },
    { headers },
  )
}

const emailForm = boundedForm({ email: emailField({ required: 'required', invalid: 'invalid' }) })

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const typed = String(post.form.get('email') ?? '').slice(0, 300)
  const parsed = readForm(post.form, emailForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'invalid', email: typed })
  const language = await i18nServer.getLocale(request)
  // Counted per address whether or not anyone holds it, so the limit says nothing either.
  const outcome = await askForEmailCode(
    { db: db(), crypto: portalCrypto() },
    { email: parsed.data.email.matched, displayEmail: parsed.data.email.shown },
    {
      language: isLanguage(language) ? language : 'ja',
      portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
      notifyUnknown: getConfig().NOTIFY_UNKNOWN_ADDRESSES === 'on',
    },
  )
  if (outcome.limited) return tooManyRequests(outcome, { email: typed })
  const { setCookie } = await saveChallenge(request, outcome.pending)
  return redirect('/check/email/code', { status: 303, headers: setCookie ? { 'Set-Cookie': setCookie } : {} })
}

export default function CheckByEmailPage() {
  const { t } = useTranslation('check')
  const { csrf, notifyUnknown } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? t(`email.errors.${result.error}`) : undefined
  return (
    <article className="prose check">
      <h1>{t('email.heading')}</h1>
      {result && 'rateLimited' in result ? (
        <>
          <RateLimitedNotice retryAt={result.rateLimited.retryAt} />
          <p>{t('emailCode.codesLimited')}</p>
        </>
      ) : null}
      <p>{t(notifyUnknown ? 'email.introToAll' : 'email.intro')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          label={t('email.label')}
          hint={t('email.hint')}
          error={error}
          defaultValue={result && 'email' in result ? result.email : undefined}
        />
        <button type="submit" className="button button--primary">
          {t('email.submit')}
        </button>
      </Form>
      <p className="link-row">
        <Link to="/check/letter">{t('email.otherWay')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}
