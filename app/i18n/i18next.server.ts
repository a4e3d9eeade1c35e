import { createCookie } from '@remix-run/node'
import { createInstance, type i18n } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { RemixI18Next } from 'remix-i18next/server'
import { getConfig } from '~/config.server'
import { fallbackLanguage, i18nConfig, isLanguage, type Language, supportedLanguages } from './config'
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

const readyInstances = new Map<Language, i18n>()

/**
 * The i18next instance for one language, shared by every request. The
 * translations are bundled and nothing on the server changes a shared
 * instance's language, so a fresh instance per request (remix-i18next's way,
 * about a third of a millisecond each) would buy nothing.
 */
export function i18nFor(language: Language): i18n {
  let instance = readyInstances.get(language)
  if (!instance) {
    instance = createInstance()
    // With bundled resources, `initImmediate: false` makes init synchronous.
    void instance.use(initReactI18next).init({
      ...serverI18nOptions,
      lng: language,
      ns: Object.keys(resources.ja),
      initImmediate: false,
    })
    readyInstances.set(language, instance)
  }
  return instance
}

/** The language of this request (`?lng=`, cookie, Accept-Language, else Japanese). */
export async function requestLanguage(request: Request): Promise<Language> {
  const language = await i18nServer.getLocale(request)
  return isLanguage(language) ? language : fallbackLanguage
}
