import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { languageCookie } from '~/i18n/i18next.server'
import { getPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { RETURN_DRAFT_COOKIE } from '~/returns/return-draft.server'
import { CHECK_WAY_COOKIE } from '~/session/check-way.server'
import { CSRF_COOKIE } from '~/session/csrf.server'
import { SESSION_COOKIE } from '~/session/session.server'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['privacy'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  // The names the code sets, so the page cannot drift from them.
  const cookies = [
    { key: 'session', name: SESSION_COOKIE },
    { key: 'csrf', name: CSRF_COOKIE },
    { key: 'language', name: languageCookie.name },
    { key: 'checkWay', name: CHECK_WAY_COOKIE },
    { key: 'returnDraft', name: RETURN_DRAFT_COOKIE },
  ]
  return { meta: await getPageMeta(request, 'privacy'), cookies }
}

const collected = ['identifier', 'verifier', 'oneTimeCode', 'memberSteps'] as const
const done = ['newPassword', 'details', 'emailChange', 'readiness', 'auditLog', 'returns'] as const
const kept = ['sessions', 'codes', 'counters', 'outbox', 'records'] as const
const protections = ['encrypted', 'keyedIndex', 'noUrlsOrLogs', 'notKept', 'auditLog'] as const

export default function PrivacyPage() {
  const { t } = useTranslation('privacy')
  const { cookies } = useLoaderData<typeof loader>()
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

      <h2>{t('doing.heading')}</h2>
      <p>{t('doing.intro')}</p>
      <ul>
        {done.map((item) => (
          <li key={item}>{t(`doing.items.${item}`)}</li>
        ))}
      </ul>

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
      <dl className="privacy__cookies">
        {cookies.map((cookie) => (
          <div key={cookie.key}>
            <dt>
              <code>{cookie.name}</code>
            </dt>
            <dd>
              {t(`cookies.list.${cookie.key}.purpose`)}
              <br />
              {t('cookies.lifetimeLine', { lifetime: t(`cookies.list.${cookie.key}.lifetime`) })}
            </dd>
          </div>
        ))}
      </dl>
      <p>{t('cookies.hostPrefix')}</p>
      <p>{t('cookies.noTracking')}</p>

      <h2>{t('retention.heading')}</h2>
      <ul>
        {kept.map((item) => (
          <li key={item}>{t(`retention.items.${item}`)}</li>
        ))}
      </ul>

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
