import { Trans, useTranslation } from 'react-i18next'
import { RETURNS_EMAIL, SUPPORT_EMAIL } from '~/incident/incident-facts'
import { MailLink } from './mail-link'

const desks = [
  { key: 'returns', address: RETURNS_EMAIL },
  { key: 'support', address: SUPPORT_EMAIL },
] as const

/** The two e-mail desks of the notice, each with what it is for. */
export function ContactSection() {
  const { t } = useTranslation('incident')
  return (
    <section id="contact" className="incident-section">
      <h2>{t('contact.heading')}</h2>
      <ul className="contact-list">
        {desks.map((desk) => (
          <li key={desk.key} className="contact-list__item">
            <strong className="contact-list__name">{t(`contact.${desk.key}Label`)}</strong>
            <span className="contact-list__use">{t(`contact.${desk.key}Use`)}</span>
            <span className="contact-list__address">
              <Trans
                t={t}
                i18nKey="contact.emailLine"
                values={{ email: desk.address }}
                components={{ mail: <MailLink address={desk.address} /> }}
              />
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
