import type autocannon from 'autocannon'
import { newLetterCode } from '~/codes/letter-code.server'
import { type CannonKind, counted, type KindTally } from './load-kinds'
import type { Writer } from './load-writers'
import type { SearchValue } from './staff-load'

/**
 * bench:load's mix: each kind of request with its share of the open
 * connections, as autocannon runs, and the e-mail sessions that read their
 * code from the sink, driven by hand since they wait for mail between steps.
 */

export type MixInput = {
  url: string
  csrf: { cookie: string; token: string }
  assets: string[]
  exposureCookies: string[]
  emails: string[]
  letterCodes: string[]
  agentCookies: string[]
  searches: { kind: string; value: SearchValue }[]
  /** Each password reset or confirmation goes once: the outcome of each is kept by subject. */
  resetters: Writer[]
  confirmers: Writer[]
  resetCookies: string[]
  confirmCookies: string[]
}

/** Answers of the writes, by subject: the status, or 0 when sent and never answered. */
export const writeOutcomes = new Map<number, number>()

export const form = { 'content-type': 'application/x-www-form-urlencoded' }

export function cannonKinds(input: MixInput): { share: number; kind: CannonKind }[] {
  const { url, csrf } = input
  const post = { method: 'POST' as const, headers: { ...form, origin: url } }
  let nextEmail = 0
  let nextLetter = 0
  let nextSearch = 0
  let nextReset = 0
  let nextConfirm = 0
  const withCookie = (request: autocannon.Request, cookie: string, body?: string) => ({
    ...request,
    headers: { ...request.headers, cookie },
    ...(body === undefined ? {} : { body }),
  })
  /** The next writer not yet sent, its subject noted on the connection; none left ends the connection's turn. */
  const writer =
    (writers: Writer[], cookies: string[], next: () => number, body: (w: Writer) => string) =>
    (request: autocannon.Request, connection: object) => {
      const context = connection as Record<string, unknown>
      const n = next()
      const chosen = writers[n]
      // All used: a request nobody can answer 303, sent to the page itself (counted apart, never a write).
      if (!chosen) return withCookie({ ...request, method: 'GET' }, cookies[0] as string)
      context.subject = chosen.subjectId
      writeOutcomes.set(chosen.subjectId, 0)
      return withCookie(request, `${csrf.cookie}; ${cookies[n]}`, body(chosen))
    }
  const outcome = (status: number, context: Record<string, unknown>) => {
    if (typeof context.subject === 'number') writeOutcomes.set(context.subject, status)
    context.subject = undefined
  }
  return [
    {
      share: 0.25,
      kind: { name: 'GET / (incident page)', expect: [200], options: (t) => get(`${url}/`, t) },
    },
    {
      share: 0.15,
      kind: {
        name: 'GET static assets',
        expect: [200],
        options: (t) => ({
          url,
          requests: input.assets.map((path) => ({ path, onResponse: counted(t) })),
        }),
      },
    },
    {
      share: 0.15,
      kind: {
        name: 'POST /check/email',
        expect: [303, 429],
        options: (t) => ({
          url: `${url}/check/email`,
          ...post,
          requests: [
            {
              ...post,
              setupRequest: (request) => {
                const n = nextEmail++
                // Known and unknown addresses alternating, the known ones from the back of the list.
                const email =
                  n % 2 === 0
                    ? (input.emails[
                        input.emails.length - 1 - ((n / 2) % (input.emails.length / 2))
                      ] as string)
                    : `nobody-${n}@example.invalid`
                return withCookie(
                  request,
                  csrf.cookie,
                  `csrf=${csrf.token}&email=${encodeURIComponent(email)}`,
                )
              },
              onResponse: counted(t),
            },
          ],
        }),
      },
    },
    {
      share: 0.1,
      kind: {
        name: 'POST /check/letter',
        // A wrong birth date is 422; a real code that had 10 of them is locked (403).
        expect: [422, 403, 429],
        options: (t) => ({
          url: `${url}/check/letter`,
          ...post,
          requests: [
            {
              ...post,
              setupRequest: (request) => {
                const n = nextLetter++
                const code =
                  n % 2 === 0
                    ? (input.letterCodes[(n / 2) % input.letterCodes.length] as string)
                    : newLetterCode().printed
                return withCookie(
                  request,
                  csrf.cookie,
                  `csrf=${csrf.token}&code=${encodeURIComponent(code)}&proof=1900-01-01`,
                )
              },
              onResponse: counted(t),
            },
          ],
        }),
      },
    },
    {
      share: 0.1,
      kind: {
        name: 'GET /exposure',
        expect: [200],
        options: (t) => {
          let next = 0
          return {
            url: `${url}/exposure`,
            requests: [
              {
                setupRequest: (request) =>
                  withCookie(request, input.exposureCookies[next++ % input.exposureCookies.length] as string),
                onResponse: counted(t),
              },
            ],
          }
        },
      },
    },
    {
      share: 0.1,
      kind: {
        name: 'POST /staff/cases',
        // Each agent may search 120 times an hour: more is 429, as it would be.
        expect: [200, 429],
        options: (t) => ({
          url: `${url}/staff/cases`,
          ...post,
          requests: [
            {
              ...post,
              setupRequest: (request) => {
                const n = nextSearch++
                const { kind, value } = input.searches[
                  n % input.searches.length
                ] as (typeof input.searches)[0]
                const agent = input.agentCookies[n % input.agentCookies.length] as string
                const body = new URLSearchParams({
                  csrf: csrf.token,
                  kind,
                  value: value.value,
                  birthDate: value.birthDate,
                }).toString()
                return withCookie(request, `${csrf.cookie}; ${agent}`, body)
              },
              onResponse: counted(t),
            },
          ],
        }),
      },
    },
    {
      share: 0.05,
      kind: {
        name: 'POST /account/password',
        expect: [303],
        options: (t) => ({
          url: `${url}/account/password`,
          ...post,
          requests: [
            {
              ...post,
              setupRequest: writer(
                input.resetters,
                input.resetCookies,
                () => nextReset++,
                (w) =>
                  `csrf=${csrf.token}&intent=save&password=${encodeURIComponent(strongPassword(w.subjectId))}`,
              ),
              onResponse: counted(t, outcome),
            },
          ],
        }),
      },
    },
    {
      share: 0.05,
      kind: {
        name: 'POST /account/details',
        expect: [303],
        options: (t) => ({
          url: `${url}/account/details`,
          ...post,
          requests: [
            {
              ...post,
              setupRequest: writer(
                input.confirmers,
                input.confirmCookies,
                () => nextConfirm++,
                (w) => `csrf=${csrf.token}&${w.body}`,
              ),
              onResponse: counted(t, outcome),
            },
          ],
        }),
      },
    },
  ]
}

function get(url: string, tally: KindTally): autocannon.Options {
  return { url, requests: [{ onResponse: counted(tally) }] }
}

// Four random-looking groups: far from any dictionary, a person's details or the service's names.
function strongPassword(n: number) {
  const letters = 'bcdfghjkmnpqrstvwxz'
  let seed = (n + 1) * 2654435761
  const group = () =>
    Array.from({ length: 5 }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return letters[seed % letters.length]
    }).join('')
  return `${group()} ${group()} ${group()} ${group()}`
}
