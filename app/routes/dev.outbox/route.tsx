import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import type { Language } from '~/i18n/config'
import { i18nServer } from '~/i18n/i18next.server'
import { getPageMeta } from '~/i18n/page-meta.server'
import { type DevOutboxMessage, loadDevOutbox } from '~/mail/dev-outbox.server'
import { requireDevClientAndDemoData } from '~/security/dev-pages.server'

/**
 * Outside production, the e-mails waiting in the outbox (without SMTP_URL
 * they never leave it), so a developer can read a notice and its letter code.
 * Only for a browser on this machine, and only while the database holds
 * generated demo people alone; otherwise (and in production) 404.
 */

export const handle = { i18n: ['dev'] }

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: data.meta.title },
        { name: 'description', content: data.meta.description },
        { name: 'robots', content: 'noindex' },
      ]
    : []

// The page shows personal data and letter codes: never cached, never named in a Referer.
export const headers: HeadersFunction = () => ({
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireDevClientAndDemoData(context)
  const keyring = portalCrypto().keyring
  const language = (await i18nServer.getLocale(request)) as Language
  return {
    meta: await getPageMeta(request, 'dev'),
    outbox: await loadDevOutbox({ db: db(), keyring, language }),
  }
}

export default function DevOutboxPage() {
  const { outbox } = useLoaderData<typeof loader>()
  const { t } = useTranslation('dev')
  return (
    <div className="dev-outbox">
      <h1>{t('outbox.heading')}</h1>
      <p>{t('outbox.intro', { limit: outbox.limit })}</p>

      <h2>{t('outbox.counts.heading')}</h2>
      <dl className="dev-outbox__counts">
        {outbox.counts.map(({ state, count }) => (
          <div key={state}>
            <dt>{t(`outbox.states.${state}`)}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>

      <h2>{t('outbox.messages.heading')}</h2>
      {outbox.messages.length === 0 ? (
        <p className="dev-outbox__empty">
          <Trans t={t} i18nKey="outbox.empty" components={{ code: <code /> }} />
        </p>
      ) : (
        outbox.messages.map((message) => <OutboxMessage key={message.id} message={message} />)
      )}
    </div>
  )
}

function OutboxMessage({ message }: { message: DevOutboxMessage }) {
  const { t } = useTranslation('dev')
  const { email } = message
  const headingId = `outbox-message-${message.id}`
  return (
    <article className="dev-outbox__message" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {email.status === 'kept'
          ? email.subject || t('outbox.message.noSubject')
          : t('outbox.message.label', { id: message.id })}
      </h3>
      <dl className="dev-outbox__details">
        <div>
          <dt>{t('outbox.message.to')}</dt>
          <dd>{email.status === 'kept' ? email.to : t('outbox.message.notKept')}</dd>
        </div>
        <div>
          <dt>{t('outbox.message.state')}</dt>
          <dd>{t(`outbox.states.${message.state}`)}</dd>
        </div>
        <div>
          <dt>{t('outbox.message.attempts')}</dt>
          <dd>{message.attempts}</dd>
        </div>
        <div>
          <dt>{t('outbox.message.createdAt')}</dt>
          <dd>
            <time dateTime={message.createdAt.iso}>{message.createdAt.display}</time>
          </dd>
        </div>
        {message.sentAt ? (
          <div>
            <dt>{t('outbox.message.sentAt')}</dt>
            <dd>
              <time dateTime={message.sentAt.iso}>{message.sentAt.display}</time>
            </dd>
          </div>
        ) : null}
        {message.lastError ? (
          <div>
            <dt>{t('outbox.message.lastError')}</dt>
            <dd lang="en">{message.lastError}</dd>
          </div>
        ) : null}
      </dl>
      {email.status === 'kept' ? (
        <>
          <h4>{t('outbox.message.body')}</h4>
          <pre className="dev-outbox__body">{email.text}</pre>
        </>
      ) : null}
      {email.status === 'unreadable' ? <p className="callout">{t('outbox.message.unreadable')}</p> : null}
    </article>
  )
}
