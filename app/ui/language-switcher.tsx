import { Form, useLocation, useRouteLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { supportedLanguages } from '~/i18n/config'
import type { loader as rootLoader } from '~/root'
import { CsrfField } from './csrf-field'

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
  // The root loader's token; absent only on the error page of a failed root loader.
  const csrf = useRouteLoaderData<typeof rootLoader>('root')?.csrf
  return (
    <Form method="post" action="/language" className="language-switcher">
      {csrf ? <CsrfField token={csrf} form="language" /> : null}
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
