import { cookieName } from './cookie.server'

/**
 * Which way a visitor last proved who they are (the e-mail check, the letter
 * check or sign-in), remembered apart from the session so that once it has
 * ended (deleted on sight, swept within a minute) the page saying so can lead
 * back to that same way. One word, no ID: it names nobody.
 */

export const CHECK_WAYS = ['email', 'letter', 'signin'] as const
export type CheckWay = (typeof CHECK_WAYS)[number]

export const CHECK_WAY_COOKIE = 'portal_check_way'

/** Long enough to outlive any session (12 hours at most) by the days a person may take to come back. */
const CHECK_WAY_MAX_AGE_SECONDS = 30 * 24 * 60 * 60

export function checkWayCookie(way: CheckWay, isProduction: boolean) {
  const attributes = [
    `${cookieName(CHECK_WAY_COOKIE, isProduction)}=${way}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${CHECK_WAY_MAX_AGE_SECONDS}`,
  ]
  if (isProduction) attributes.push('Secure')
  return attributes.join('; ')
}

/** The way this browser last proved who it is, if it says one we know. */
export function readCheckWay(request: Request, isProduction: boolean): CheckWay | undefined {
  const header = request.headers.get('Cookie')
  if (!header) return undefined
  const name = cookieName(CHECK_WAY_COOKIE, isProduction)
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    const value = pair.slice(separator + 1).trim()
    return (CHECK_WAYS as readonly string[]).includes(value) ? (value as CheckWay) : undefined
  }
  return undefined
}
