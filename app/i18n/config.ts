/** i18next settings shared by the server render and the browser. */
export const supportedLanguages = ['ja', 'en'] as const
export type Language = (typeof supportedLanguages)[number]
export const fallbackLanguage: Language = 'ja'

export const i18nConfig = {
  supportedLngs: [...supportedLanguages],
  fallbackLng: fallbackLanguage,
  defaultNS: 'common',
  ns: ['common'],
  // React escapes for us; double escaping would show entities to the reader.
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
}

export function isLanguage(value: unknown): value is Language {
  return supportedLanguages.includes(value as Language)
}

/** The BCP 47 tag Intl formats with: Japanese dates as 2026年4月23日, English as 23 April 2026. */
export function intlLocale(language: string) {
  return language === 'en' ? 'en-GB' : 'ja-JP'
}
