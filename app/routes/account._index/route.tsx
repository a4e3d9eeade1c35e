import { data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { requireMember } from '~/accounts/member-guard.server'
import { firstOpenStep, STEP_PATHS } from '~/accounts/required-actions'
import { getConfig } from '~/config.server'
import { dateFormat } from '~/i18n/date-format'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { PERSONAL_PAGE_HEADERS, personalFormToken } from '~/security/personal-page.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['account'] }

export const meta = pageMeta

export const headers = () => PERSONAL_PAGE_HEADERS

/** A member's account: the first open step if there is one, else what happens on resumption day. */
export async function loader({ request }: LoaderFunctionArgs) {
  const account = await requireMember(request)
  const step = firstOpenStep(account.openActions)
  if (step) throw redirect(STEP_PATHS[step])
  const language = await requestLanguage(request)
  const longDate = dateFormat(language, { dateStyle: 'long' })
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'account', 'hub'),
      csrf: token,
      resumptionDate: longDate.format(new Date(`${getConfig().RESUMPTION_DATE}T00:00:00+09:00`)),
      memberId: account.memberId,
      // Members the shop has no address for sign in with their member ID.
      hasEmail: Boolean(account.details.email),
      detailsConfirmedOn: account.detailsConfirmedAt
        ? longDate.format(new Date(account.detailsConfirmedAt))
        : null,
    },
    { headers },
  )
}

// What the step just finished said, shown once the member lands here.
const SAVED_MESSAGES: Record<string, string> = {
  password: 'password.saved',
  details: 'details.confirmed',
  email: 'email.confirmed',
  emailAdded: 'email.confirmedFirst',
}

export default function AccountPage() {
  const { t } = useTranslation('account')
  const { csrf, resumptionDate, detailsConfirmedOn, memberId, hasEmail } = useLoaderData<typeof loader>()
  const saved = SAVED_MESSAGES[useSearchParams()[0].get('saved') ?? '']
  return (
    <article className="prose account">
      {saved ? (
        <p className="callout" role="status">
          {t(saved)}
        </p>
      ) : null}
      <h1>{t('hub.heading')}</h1>
      <p>{t('hub.body')}</p>
      <ul className="account-status">
        <li>{t('hub.passwordSet')}</li>
        {detailsConfirmedOn ? <li>{t('hub.detailsConfirmed', { date: detailsConfirmedOn })}</li> : null}
        <li>{t('hub.memberId', { memberId })}</li>
      </ul>
      <p className="callout">
        {hasEmail
          ? t('hub.resumption', { date: resumptionDate })
          : t('hub.resumptionNoEmail', { date: resumptionDate, memberId })}
      </p>
      <ul className="link-list">
        <li>
          <Link to="/account/details">{t('hub.reviewDetails')}</Link>
        </li>
        <li>
          <Link to="/account/password">{t('hub.changePassword')}</Link>
        </li>
        <li>
          <Link to="/exposure">{t('hub.exposure')}</Link>
        </li>
      </ul>
      <Form method="post" action="/signout">
        <CsrfField token={csrf} />
        <button type="submit" className="button button--secondary">
          {t('hub.signOut')}
        </button>
      </Form>
    </article>
  )
}
