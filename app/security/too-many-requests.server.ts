import { data } from '@remix-run/node'

/** What a page gets back when a limit refused the request; `RateLimitedNotice` shows it. */
export type RateLimited = { rateLimited: { retryAt: string } }

/**
 * The answer to a refused request: HTTP 429 with `Retry-After`, and in the data
 * the moment to come back (ISO 8601) for the page to show in the reader's
 * language, beside whatever else the page needs to render (the echoed input).
 */
export function tooManyRequests<T extends object = Record<never, never>>(
  check: { retryAfterSeconds: number; retryAt: Date },
  extra?: T,
) {
  const payload = { ...(extra as T), rateLimited: { retryAt: check.retryAt.toISOString() } }
  return data<T & RateLimited>(payload, {
    status: 429,
    headers: {
      'Retry-After': String(Math.max(1, Math.ceil(check.retryAfterSeconds))),
      'Cache-Control': 'no-store',
    },
  })
}
