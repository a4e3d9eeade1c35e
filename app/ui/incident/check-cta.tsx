import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'

/** The way to the identity check; a plain link, so it works without JavaScript. */
export function CheckCta() {
  const { t } = useTranslation('incident')
  return (
    <p className="incident-cta no-print">
      <Link to="/check" className="button button--primary">
        {t('checkCta')}
      </Link>
    </p>
  )
}
