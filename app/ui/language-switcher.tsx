import { Form, useLocation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { supportedLanguages } from '~/i18n/config'

/**
 * A plain form, so it works without JavaScript and from the keyboard; it comes
 * back to the page the reader was on.
 */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation()
  const location = useLocation()
  const search = new URLSearchParams(location.search)
  search.delete('lng')
  const query = search.toString()
  const redirectTo = `${location.pathname}${query ? `?${query}` : ''}`
  return (
    <Form method="post" action="/language" className="language-switcher">
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <span className="visually-hidden">{t('layout.language')}</span>
      {supportedLanguages.map((language) =>
        language === i18n.language ? (
          <span key={language} className="language-switcher__current" aria-current="true" lang={language}>
            {t(`layout.languageName.${language}`)}
          </span>
        ) : (
          <button key={language} type="submit" name="lng" value={language} lang={language}>
            {t(`layout.languageName.${language}`)}
          </button>
        ),
      )}
    </Form>
  )
}
