import type { LoaderFunctionArgs } from '@remix-run/node'
import { Trans, useTranslation } from 'react-i18next'
import { getPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['privacy'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getPageMeta(request, 'privacy') }
}

const collected = ['identifier', 'verifier', 'oneTimeCode'] as const
const protections = ['encrypted', 'keyedIndex', 'noUrlsOrLogs', 'notKept', 'auditLog'] as const

export default function PrivacyPage() {
  const { t } = useTranslation('privacy')
  return (
    <article className="prose privacy">
      <h1>{t('heading')}</h1>
      <p>{t('intro')}</p>

      <h2>{t('collect.heading')}</h2>
      <p>{t('collect.intro')}</p>
      <ul>
        {collected.map((item) => (
          <li key={item}>{t(`collect.items.${item}`)}</li>
        ))}
      </ul>
      <p>{t('collect.cookie')}</p>

      <h2>{t('purpose.heading')}</h2>
      <p>{t('purpose.body')}</p>

      <h2>{t('protection.heading')}</h2>
      <ul>
        {protections.map((item) => (
          <li key={item}>{t(`protection.items.${item}`)}</li>
        ))}
      </ul>

      <h2>{t('cookies.heading')}</h2>
      <p>{t('cookies.body')}</p>
      <p>{t('cookies.noTracking')}</p>

      <h2>{t('contact.heading')}</h2>
      <p>
        <Trans
          t={t}
          i18nKey="contact.body"
          values={{ email: SUPPORT_EMAIL }}
          components={{ mail: <MailLink address={SUPPORT_EMAIL} /> }}
        />
      </p>
    </article>
  )
}
