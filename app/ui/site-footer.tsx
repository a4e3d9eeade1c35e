import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'

export function SiteFooter() {
  const { t } = useTranslation()
  return (
    <footer className="site-footer">
      <nav aria-label={t('layout.footerNav')}>
        <ul>
          <li>
            <Link to="/">{t('layout.incidentLink')}</Link>
          </li>
          <li>
            <Link to="/privacy">{t('layout.privacyLink')}</Link>
          </li>
        </ul>
      </nav>
      <p>{t('layout.operator')}</p>
    </footer>
  )
}
