import { intlLocale } from './config'

const formats = new Map<string, Intl.DateTimeFormat>()

/**
 * An `Intl.DateTimeFormat` for a language, in Japan's time zone, made once and
 * reused: building one costs far more than formatting with it, and pages
 * format dates on every render.
 */
export function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language} ${JSON.stringify(options)}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(intlLocale(language), { timeZone: 'Asia/Tokyo', ...options })
    formats.set(key, format)
  }
  return format
}
