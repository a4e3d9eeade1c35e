import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

/**
 * Where signing out lands (/signout's POST sends every visitor here): that it is done, what that
 * means for this browser, and the ways back in. It shows nothing personal, so it is the same for all.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getSubPageMeta(request, 'check', 'signedOut') }
}

export default function SignedOutPage() {
  const { t } = useTranslation('check')
  return (
    <article className="prose check">
      <h1>{t('signedOut.heading')}</h1>
      <p>{t('signedOut.next')}</p>
      <p>{t('signedOut.sharedDevice')}</p>
      <h2>{t('signedOut.againHeading')}</h2>
      <ul className="link-list">
        <li>
          <Link to="/check">{t('signedOut.check')}</Link>
        </li>
        <li>
          {t('signInLink.intro')} <Link to="/signin">{t('signInLink.link')}</Link>
        </li>
        <li>
          <Link to="/">{t('backToNotice')}</Link>
        </li>
      </ul>
      <p>
        <Trans
          t={t}
          i18nKey="signedOut.contact"
          values={{ email: SUPPORT_EMAIL }}
          components={{ mail: <MailLink address={SUPPORT_EMAIL} /> }}
        />
      </p>
    </article>
  )
}
