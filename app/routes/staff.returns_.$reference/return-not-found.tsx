import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'

/** A reference nobody filed, or one mistyped: what to do instead, and the way back. */
export function ReturnNotFound() {
  const { t } = useTranslation('staff')
  return (
    <section className="error-page" aria-labelledby="return-not-found-title">
      <h1 id="return-not-found-title">{t('returnView.notFound.title')}</h1>
      <p>{t('returnView.notFound.body')}</p>
      <p className="link-row">
        <Link to="/staff/returns">{t('returnView.backToQueue')}</Link>
      </p>
    </section>
  )
}
