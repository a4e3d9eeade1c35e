import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getPageMeta } from '~/i18n/page-meta.server'
import { pageMeta } from '~/ui/page-meta'
import { SupportContact } from '~/ui/support-contact'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getPageMeta(request, 'check') }
}

const ways = [
  { key: 'email', to: '/check/email' },
  { key: 'letter', to: '/check/letter' },
] as const

export default function CheckPage() {
  const { t } = useTranslation('check')
  return (
    <article className="prose check">
      <h1>{t('heading')}</h1>
      <p>{t('intro')}</p>
      <ul className="check-ways">
        {ways.map((way) => (
          <li key={way.key}>
            <h2>
              <Link to={way.to}>{t(`ways.${way.key}.title`)}</Link>
            </h2>
            <p>{t(`ways.${way.key}.body`)}</p>
          </li>
        ))}
      </ul>
      <p>{t('onlyYou')}</p>
      <p>
        {t('signInLink.intro')} <Link to="/signin">{t('signInLink.link')}</Link>
      </p>
      <p>{t('messageCheckLink.intro')}</p>
      <p className="link-row">
        <Link to="/message-check">{t('messageCheckLink.link')}</Link>
      </p>
      <p className="link-row">
        <Link to="/">{t('backToNotice')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}
