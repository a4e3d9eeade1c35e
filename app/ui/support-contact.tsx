import { Trans, useTranslation } from 'react-i18next'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { MailLink } from '~/ui/incident/mail-link'

// What the desk asks for first, so nobody has to call twice.
const HAVE_READY = ['notice', 'letterCode', 'memberId'] as const

/**
 * Whom to ask and what to have at hand: the notice's customer desk, shown on
 * every check page and every page that stops a person (errors, 403, 404, 429,
 * an ended session, an expired form). `inline` is one sentence, for a notice
 * inside a page that shows the full block elsewhere or has no room for it.
 */
export function SupportContact({ inline = false }: { inline?: boolean }) {
  const { t } = useTranslation()
  const mail = { mail: <MailLink address={SUPPORT_EMAIL} /> }
  if (inline) {
    return (
      <span className="support-contact--inline">
        <Trans t={t} i18nKey="support.inline" values={{ email: SUPPORT_EMAIL }} components={mail} />
      </span>
    )
  }
  return (
    <aside className="support-contact" aria-labelledby="support-contact-heading">
      <h2 id="support-contact-heading">{t('support.heading')}</h2>
      <p>
        <Trans t={t} i18nKey="support.desk" values={{ email: SUPPORT_EMAIL }} components={mail} />
      </p>
      <p>{t('support.haveReady')}</p>
      <ul>
        {HAVE_READY.map((item) => (
          <li key={item}>{t(`support.items.${item}`)}</li>
        ))}
      </ul>
    </aside>
  )
}
