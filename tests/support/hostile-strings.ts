import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { expect } from 'vitest'
import { csrfOf, type Visitor } from './check-visitor'

/**
 * Strings and request bodies no form expects, for the property tests that
 * throw them at every form and API route (tests/http/hostile-*.test.ts), and
 * what every answer to them must be: no 5xx, within a second, in the
 * request's language, nothing of the input's markup left to run.
 */

/**
 * In every markup probe, so that an unescaped echo of it can be found in a
 * page; with a `$`, which no nonce or form token (base64, base64url) holds.
 */
export const MARK = 'hx$0'
const MARK_PATTERN = MARK.replace('$', '\\$')

export const MARKUP = [
  `<script>${MARK}()</script>`,
  `"><img src=x onerror=${MARK}()>`,
  `'><svg onload=${MARK}()>`,
  `</textarea><script>${MARK}()</script>`,
  `" autofocus onfocus=${MARK}() x="`,
  `<a href="javascript:${MARK}()">x</a>`,
  `<iframe srcdoc="&lt;script&gt;${MARK}()&lt;/script&gt;">`,
] as const

/** An unescaped echo of one of MARKUP: a tag, script or attribute that would run. A `\\"` is JSON's escape, harmless. */
const RUNNABLE = new RegExp(
  `<(script|img|svg|iframe|a)\\b[^<>]*${MARK_PATTERN}|<script\\b[^<>]*>\\s*${MARK_PATTERN}|(?<!\\\\)" autofocus onfocus=${MARK_PATTERN}`,
  'i',
)

export function expectNoRunnableMarkup(body: string, where: string) {
  expect(body.match(RUNNABLE)?.[0], where).toBeUndefined()
}

const SQL = [
  "' OR 1=1 --",
  "'; DROP TABLE subjects; --",
  '" OR ""="',
  "1'); DELETE FROM staff_members; --",
  "' UNION SELECT name FROM sqlite_master --",
  '%',
  '_',
  '\\',
] as const

const codePoints = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((code) => String.fromCharCode(code))

const control = fc.oneof(codePoints(0x00, 0x1f), fc.constant('\u007f'), codePoints(0x80, 0x9f))
const loneSurrogate = fc.oneof(codePoints(0xd800, 0xdbff), codePoints(0xdc00, 0xdfff))
const direction = fc.constantFrom('\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200f')
const zeroWidth = fc.constantFrom('\u200b', '\u200c', '\u200d', '\ufeff', '\u2060')
const fullWidth = fc.constantFrom(
  'ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｊｐ',
  '１２３４５６',
  'Ｍ０００００００１',
  '　',
  '－',
  'Ｒ－',
)
const plausible = fc.constantFrom(
  'hanako@example.jp',
  '123456',
  'M00000001',
  'R-00000-00000',
  'AAAA-AAAA-AAAA-A',
  '1980-01-01',
  '090-1234-5678',
  'confirm',
  'resend',
  'en',
  '/',
  '',
)

/** One piece of a hostile value. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MARKUP) },
  { weight: 2, arbitrary: fc.constantFrom(...SQL) },
  { weight: 2, arbitrary: plausible },
  { weight: 2, arbitrary: fc.string({ unit: control, maxLength: 8 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: direction },
  { weight: 1, arbitrary: zeroWidth },
  { weight: 1, arbitrary: fullWidth },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
)

/** A value to put in a field: pieces run together, now and then grown to about 64 KiB. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: fc.array(piece, { maxLength: 4 }).map((pieces) => pieces.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(piece, fc.integer({ min: 60_000, max: 66_000 }))
      .map(([seed, length]) =>
        (seed || 'a').repeat(Math.ceil(length / Math.max(seed.length, 1))).slice(0, length),
      ),
  },
)

/** A field name no form has. */
export const strangeName = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'csrf[]', 'email[]', '_data', 'intent ', ' ', '', '%00'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
)

export type Entry = [name: string, value: string]

/**
 * The entries of a form: each of `names` with a hostile value, some left out,
 * some sent twice, with fields no form has added, in a shuffled order.
 */
export function hostileEntries(names: readonly string[]): fc.Arbitrary<Entry[]> {
  const field = (name: string) =>
    fc.oneof(
      { weight: 5, arbitrary: hostileValue.map((value) => [[name, value]] as Entry[]) },
      { weight: 1, arbitrary: fc.constant([] as Entry[]) },
      {
        weight: 1,
        arbitrary: fc.tuple(hostileValue, hostileValue).map(
          ([a, b]) =>
            [
              [name, a],
              [name, b],
            ] as Entry[],
        ),
      },
    )
  return fc
    .tuple(fc.tuple(...names.map(field)), fc.array(fc.tuple(strangeName, hostileValue), { maxLength: 3 }))
    .map(([known, extra]) => [...known.flat(), ...extra])
    .chain((entries) =>
      fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
    )
}

export type BodyShape =
  | 'urlencoded'
  | 'urlencoded-shift-jis'
  | 'urlencoded-euc-jp'
  | 'invalid-utf8'
  | 'multipart'
  | 'text-plain'
  | 'json'
  | 'no-type'

/** How a body is sent: mostly as the form would be, otherwise every way it should not be. */
export const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('urlencoded' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'urlencoded-shift-jis' as const,
      'urlencoded-euc-jp' as const,
      'invalid-utf8' as const,
      'multipart' as const,
      'text-plain' as const,
      'json' as const,
      'no-type' as const,
    ),
  },
)

// 「見本花子」 in Shift_JIS and EUC-JP: bytes that are not UTF-8.
const SHIFT_JIS = Buffer.from([0x8c, 0xa9, 0x96, 0x7b, 0x89, 0xd4, 0x8e, 0x71])
const EUC_JP = Buffer.from([0xb8, 0xab, 0xcb, 0xdc, 0xb2, 0xd6, 0xbb, 0xd2])
// An unpaired surrogate (ED A0 80), an overlong slash (C0 AF) and a lone continuation byte, percent-encoded or not.
const INVALID_UTF8 = Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x80, 0xff])

const percent = (bytes: Buffer) => [...bytes].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('')

/** The body and content type for `entries` sent as `shape`. */
export function encodeBody(
  entries: Entry[],
  shape: BodyShape,
): { body: Buffer | string | FormData | undefined; type: string | undefined } {
  const encoded = () => new URLSearchParams(entries).toString()
  switch (shape) {
    case 'urlencoded':
      return { body: encoded(), type: 'application/x-www-form-urlencoded' }
    case 'urlencoded-shift-jis':
      return {
        body: `${encoded()}&email=${percent(SHIFT_JIS)}`,
        type: 'application/x-www-form-urlencoded; charset=shift_jis',
      }
    case 'urlencoded-euc-jp':
      return {
        body: `${encoded()}&code=${percent(EUC_JP)}`,
        type: 'application/x-www-form-urlencoded; charset=euc-jp',
      }
    case 'invalid-utf8':
      // Raw and percent-encoded: what a JS string cannot carry (a lone surrogate in one becomes U+FFFD).
      return {
        body: Buffer.concat([
          Buffer.from(`${encoded()}&note=`),
          INVALID_UTF8,
          Buffer.from(`&x=${percent(INVALID_UTF8)}`),
        ]),
        type: 'application/x-www-form-urlencoded',
      }
    case 'multipart': {
      const form = new FormData()
      for (const [name, value] of entries) form.append(name, value)
      return { body: form, type: undefined }
    }
    case 'text-plain':
      return { body: entries.map(([name, value]) => `${name}=${value}`).join('\r\n'), type: 'text/plain' }
    case 'json':
      return { body: JSON.stringify(Object.fromEntries(entries)), type: 'application/json' }
    case 'no-type':
      return { body: Buffer.from(encoded()), type: undefined }
  }
}

export type Language = 'ja' | 'en'

/** How a request asks for its language: Japanese by default, English by header, cookie or query. */
export const languageAsk = fc.constantFrom(
  { language: 'ja' as Language, headers: {}, cookie: undefined, query: '' },
  { language: 'en' as Language, headers: { 'Accept-Language': 'en' }, cookie: undefined, query: '' },
  // The switcher's cookie as Remix writes it: JSON, base64, URI-encoded.
  { language: 'en' as Language, headers: {}, cookie: 'lng=ImVuIg%3D%3D', query: '' },
  { language: 'en' as Language, headers: { 'Accept-Language': 'ja' }, cookie: undefined, query: '?lng=en' },
  { language: 'ja' as Language, headers: { 'Accept-Language': 'en' }, cookie: undefined, query: '?lng=ja' },
)
export type LanguageAsk = typeof languageAsk extends fc.Arbitrary<infer T> ? T : never

/**
 * Where a post says it comes from: this site, mostly; otherwise another
 * site, an opaque origin, or nothing (which Fetch Metadata then decides).
 */
export const originAsk = fc.oneof(
  { weight: 6, arbitrary: fc.constant('self' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' },
      { Origin: '', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: '' },
      { 'X-Forwarded-Host': 'evil.example' },
    ),
  },
)

export type Answer = { status: number; type: string; body: string; ms: number; location: string | null }

/** The portal's limit for a form body (app/server/app.ts); the return form's is larger. */
const FORM_BODY_LIMIT = 64 * 1024

/** One request with `visitor`'s cookies (and `extraCookie`), timed from sending to the last byte. */
export async function send(
  visitor: Visitor,
  path: string,
  {
    method = 'POST',
    body,
    type,
    headers = {},
    extraCookie,
  }: {
    method?: string
    body?: Buffer | string | FormData
    type?: string
    headers?: Record<string, string | undefined>
    extraCookie?: string
  },
): Promise<Answer> {
  const cookie = [visitor.cookieHeader(), extraCookie].filter(Boolean).join('; ')
  // A multipart body as bytes, so that its length is known before it is sent.
  let bytes = body
  let contentType = type
  if (body instanceof FormData) {
    const encoded = new Request(visitor.base, { method: 'POST', body })
    bytes = Buffer.from(await encoded.arrayBuffer())
    contentType = encoded.headers.get('content-type') ?? undefined
  }
  // A header given as undefined is left out (a post without Origin).
  const sent = Object.fromEntries(
    Object.entries({
      Origin: visitor.base,
      ...(contentType ? { 'Content-Type': contentType } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
      ...headers,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
  const length = bytes === undefined ? 0 : Buffer.byteLength(bytes as Buffer | string)
  if (length > FORM_BODY_LIMIT && !path.startsWith('/returns/new'))
    return declaredOnly(`${visitor.base}${path}`, method, sent, length)
  const started = performance.now()
  const ask = () =>
    fetch(`${visitor.base}${path}`, {
      method,
      headers: sent,
      body: typeof bytes === 'string' || bytes === undefined ? bytes : new Uint8Array(bytes as Buffer),
      redirect: 'manual',
    })
  // After about a thousand generated posts (seed -894831432 of the customer forms' property at
  // 2,000 runs), a kept-alive connection was once reset under a post that the portal answered at
  // once when sent again; the server stayed up and logged nothing. A reset is asked again once,
  // on a new connection, and that answer is judged; a second reset fails the test.
  const response = await ask().catch((error: Error & { cause?: { code?: string } }) => {
    if (error.cause?.code !== 'ECONNRESET') throw error
    return ask()
  })
  const text = await response.text()
  keepCookies(visitor, response.headers.getSetCookie())
  const token = csrfOf(text)
  if (token) visitor.csrf = token
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text,
    ms: performance.now() - started,
    location: response.headers.get('location'),
  }
}

/** The cookies an answer sets, kept in `visitor`'s jar as Visitor.request keeps them. */
function keepCookies(visitor: Visitor, lines: string[]) {
  for (const line of lines) {
    const [pair = ''] = line.split(';')
    const separator = pair.indexOf('=')
    const name = pair.slice(0, separator).trim()
    const value = pair.slice(separator + 1).trim()
    // Each request asks for its language itself (languageAsk): a `?lng=` choice is not kept.
    if (name === 'lng') continue
    if (value === '' || /;\s*Max-Age=0\b/i.test(line)) visitor.cookies.delete(name)
    else visitor.cookies.set(name, value)
  }
}

/**
 * A body over the form limit, as the portal meets it: it answers 413 on the
 * declared length and closes the connection without reading a byte, so a
 * client still writing the body gets EPIPE instead of the answer. This one
 * sends the head alone and reads the answer.
 */
function declaredOnly(url: string, method: string, headers: Record<string, string>, length: number) {
  const started = performance.now()
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers: { ...headers, 'Content-Length': String(length) } })
    outgoing.on('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
      })
      response.on('end', () => {
        outgoing.destroy()
        resolve({
          status: response.statusCode ?? 0,
          type: String(response.headers['content-type'] ?? ''),
          body: text,
          ms: performance.now() - started,
          location: response.headers.location ?? null,
        })
      })
    })
    outgoing.on('error', reject)
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('no answer to a declared length')))
    outgoing.flushHeaders()
  })
}

/**
 * The one-second bound, held on a loaded 2-core machine: a slow
 * answer is asked for again once, and the repeat must be within the second.
 * A garbage collection or another test file's burst may stall one request;
 * a request that is slow by its nature is slow twice.
 */
export async function withinOneSecond(ask: () => Promise<Answer>, where: string): Promise<Answer> {
  const first = await ask()
  if (first.ms < 1000) return first
  const again = await ask()
  expect(again.ms, `${where}: ${Math.round(first.ms)} ms, then ${Math.round(again.ms)} ms`).toBeLessThan(1000)
  return again
}

// A frame of a V8 stack: `at name (file:line:column)` or `at file:line:column`.
export const STACK_TRACE =
  /\bat (?:async )?(?:[\w.$<>[\]]+ \([^()\s]+:\d+:\d+\)|[^\s()]+\.[cm]?[jt]sx?:\d+:\d+)/
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/

/**
 * What every answer must be: below 500; a page in the request's language
 * that says something in it (not React's or Remix's English fallback), or
 * the HTTP layer's short bilingual refusal, or JSON; no stack; the input's
 * markup never unescaped.
 */
export function expectWellAnswered(answer: Answer, language: Language, where: string) {
  const at = `${where} → ${answer.status}`
  expect(answer.status, at).toBeLessThan(500)
  // Outside the scripts: Remix keeps an internal error's stack in the hydration data unless
  // NODE_ENV is production (where the hostile tests check the whole body, see hostile-input.test.ts).
  const visible = answer.body.replace(/<script\b[\s\S]*?<\/script>/g, '')
  expect(visible.match(STACK_TRACE)?.[0], at).toBeUndefined()
  expect(answer.body, at).not.toMatch(/Unexpected Server Error|Application Error/)
  expectNoRunnableMarkup(answer.body, at)
  if (answer.status >= 300 && answer.status < 400) return
  if (answer.type.startsWith('text/html')) {
    expect(answer.body.match(/<html lang="([^"]*)"/)?.[1], at).toBe(language)
    const main = answer.body.match(/<main\b[\s\S]*?<\/main>/)?.[0] ?? ''
    expect(main, `${at}: a page with a main part`).not.toBe('')
    if (language === 'ja') expect(main, at).toMatch(JAPANESE)
  } else if (answer.type.startsWith('text/plain')) {
    // The HTTP layer's refusals are bilingual (app/server/plain-refusal.ts).
    expect(answer.body, at).toMatch(JAPANESE)
    expect(answer.body, at).toContain(' / ')
  } else if (answer.status >= 400) {
    expect(answer.type, at).toMatch(/^application\/json/)
  }
}

/** The server still answers. */
export async function expectAlive(base: string) {
  const response = await fetch(`${base}/healthz`)
  await response.text()
  expect(response.status).toBe(200)
}
