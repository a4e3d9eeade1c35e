import { z } from 'zod'
import { isLanguage, type Language } from './config'
import { languageCookie, requestLanguage } from './i18next.server'

/**
 * The language of this request, and the cookie that keeps a `?lng=` choice for
 * the pages the reader opens next.
 */
export async function resolveLanguage(request: Request) {
  const language = await requestLanguage(request)
  const headers = new Headers()
  const requested = new URL(request.url).searchParams.get('lng')
  if (isLanguage(requested)) {
    headers.append('Set-Cookie', await languageCookie.serialize(requested))
  }
  return { language, headers }
}

export const languageChoiceSchema = z.object({
  lng: z.enum(['ja', 'en']),
  redirectTo: z.string().max(2048).default('/'),
})

export async function languageCookieHeader(language: Language) {
  return languageCookie.serialize(language)
}
