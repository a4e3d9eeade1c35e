import { intlLocale } from './config'

const formats = new Map<string, Intl.NumberFormat>()

/**
 * An `Intl.NumberFormat` for a language (1,234,567 / 1,234,567), made once and
 * reused: `toLocaleString(language)` builds a new one at every call, and the
 * dashboard formats a hundred figures a view.
 */
export function numberFormat(language: string): Intl.NumberFormat {
  let format = formats.get(language)
  if (!format) {
    format = new Intl.NumberFormat(intlLocale(language))
    formats.set(language, format)
  }
  return format
}
