import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'

/**
 * The ways on from the notice: the identity check, and beside it "is this
 * message really from us?", since a notice like this one draws imitations.
 * Plain links, so they work without JavaScript.
 */
export function CheckCta() {
  const { t } = useTranslation('incident')
  return (
    <p className="incident-cta no-print">
      <Link to="/check" className="button button--primary">
        {t('checkCta')}
      </Link>
      <Link to="/message-check" className="button button--secondary">
        {t('messageCheckCta')}
      </Link>
    </p>
  )
}
