import { Trans, useTranslation } from 'react-i18next'
import { RETURNS_EMAIL } from '~/incident/incident-facts'
import { MailLink } from '~/ui/incident/mail-link'

/** Whom to write to about a return: the notice's returns desk, on every returns page. */
export function ReturnsContact() {
  const { t } = useTranslation('returns')
  return (
    <p>
      <Trans
        t={t}
        i18nKey="contact"
        values={{ email: RETURNS_EMAIL }}
        components={{ mail: <MailLink address={RETURNS_EMAIL} /> }}
      />
    </p>
  )
}
