import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { LanguageSwitcher } from './language-switcher'

export function SiteHeader() {
  const { t } = useTranslation()
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link to="/" className="site-header__brand">
          {t('layout.siteName')}
        </Link>
        <LanguageSwitcher />
      </div>
    </header>
  )
}
