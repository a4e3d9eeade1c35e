import { createCookie } from '@remix-run/node'
import { RemixI18Next } from 'remix-i18next/server'
import { getConfig } from '~/config.server'
import { fallbackLanguage, i18nConfig, supportedLanguages } from './config'
import { resources } from './resources.server'

const ONE_YEAR = 60 * 60 * 24 * 365

export const languageCookie = createCookie('lng', {
  path: '/',
  sameSite: 'lax',
  httpOnly: true,
  maxAge: ONE_YEAR,
  secure: getConfig().isProduction,
})

/**
 * Server-side i18next options. A key missing from every language is logged, so
 * a page that would show a raw key shows up in the server log and fails tests.
 */
export const serverI18nOptions = {
  ...i18nConfig,
  resources,
  saveMissing: true,
  missingKeyHandler: (languages: readonly string[], namespace: string, key: string) => {
    console.error(`[i18n] missing translation ${namespace}:${key} (${languages.join(',')})`)
  },
}

/** Language order: `?lng=`, then the switcher's cookie, then Accept-Language, else Japanese. */
export const i18nServer = new RemixI18Next({
  detection: {
    supportedLanguages: [...supportedLanguages],
    fallbackLanguage,
    cookie: languageCookie,
    searchParamKey: 'lng',
    order: ['searchParams', 'cookie', 'header'],
  },
  i18next: serverI18nOptions,
})
