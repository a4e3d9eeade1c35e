import i18next from 'i18next'
import { fallbackLanguage, type Language, supportedLanguages } from '~/i18n/config'
import { type Namespace, resources } from '~/i18n/resources.server'

/**
 * Translations for e-mails. Mail is rendered outside any request, so it cannot
 * use the request-bound instance of remix-i18next; this one is its own.
 */
const mailI18n = i18next.createInstance()

// The resources are bundled, so with `initImmediate: false` (i18next 23's name for
// a synchronous init) the instance is ready once this module has loaded.
void mailI18n.init({
  resources,
  lng: fallbackLanguage,
  fallbackLng: fallbackLanguage,
  supportedLngs: [...supportedLanguages],
  ns: Object.keys(resources.ja),
  defaultNS: 'email',
  initImmediate: false,
  // The e-mail layout escapes everything it puts into HTML; escaping here too
  // would show entities in the plain-text part.
  interpolation: { escapeValue: false },
  saveMissing: true,
  // Only the key is logged, never the values interpolated into it.
  missingKeyHandler: (languages: readonly string[], namespace: string, key: string) => {
    console.error(`[mail i18n] missing translation ${namespace}:${key} (${languages.join(',')})`)
  },
})

/** A translate function fixed to one language and namespace (or namespaces, the first the default). */
export function mailT(language: Language, namespace: Namespace | readonly Namespace[]) {
  return mailI18n.getFixedT(language, namespace as Namespace | Namespace[])
}

export type MailT = ReturnType<typeof mailT>
