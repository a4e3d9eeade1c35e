import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newLetterCode } from '~/codes/letter-code.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  emailCodeOf,
  emailCodeTo,
  importExport,
  mailTo,
  type Page,
  plainText,
  printerRows,
  Visitor,
  withoutTokens,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'
import { compareTimings, timingSummary } from '../support/timing'

/**
 * Nothing to enumerate: whether an e-mail address or a letter code is in the
 * data, the portal answers with the same status, the same page (apart from
 * form tokens and the echoed input) and the same time. Limits are raised here
 * so that only the difference under test could tell the answers apart. Only
 * the address's own mailbox learns the answer: a code, or (NOTIFY_UNKNOWN_ADDRESSES,
 * on by default) a short mail saying the address is not in the affected data.
 */

const NOT_AFFECTED_TITLE: string = JSON.parse(
  readFileSync(new URL('../../locales/ja/email.json', import.meta.url), 'utf8'),
).notAffected.title

/** Known and unknown tries each, interleaved: enough for a median to move by less than the bar. */
const TRIES = 400
const WARM_UP = 10
/** Each address or letter code is tried this often, under the per-address limit and far from any lock. */
const USES_EACH = 4
/** The gap between the medians must stay under this, or a third of the measured spread if that is larger. */
const MIN_BAR_MS = 1

const knownAddress = (i: number) => `person${i}@example.jp`
const unknownAddress = (i: number) => `stranger${i}@example.jp`
const BODY_ADDRESS = 'known.body@example.jp'
const CODE_ADDRESS = 'known.code@example.jp'
const WRONG_PROOF = '1999-12-31'

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer
/** Letter codes of people in the data, none of whom was born on WRONG_PROOF. */
let letterCodes: string[] = []

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({
    env: {
      ...secrets,
      SMTP_URL: sink.url,
      SMTP_RATE: '1000',
      IP_CHECK_LIMIT: '100000',
      IP_FAILURE_LIMIT: '100000',
    },
  })
  const people = Math.ceil((TRIES + WARM_UP) / USES_EACH) + 1
  const { postcards, summary } = await importExport(
    portal,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        member({ member_id: 'B1', email: BODY_ADDRESS }),
        member({ member_id: 'B2', email: CODE_ADDRESS }),
        ...Array.from({ length: people }, (_, i) => member({ member_id: `E${i}`, email: knownAddress(i) })),
        // No e-mail address: told by postcard, whose code notify writes to the printer file.
        ...Array.from({ length: people }, (_, i) => member({ member_id: `P${i}` })),
      ],
    },
    { notify: true },
  )
  expect(summary).toMatchObject({ email: people + 2, postcard: people })
  letterCodes = printerRows(postcards).map((row) => row.letter_code ?? '')
  // The notices go out first, so their sending does not overlap the measurements.
  await sink.waitFor(people + 2, 55_000)
}, 120_000)

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
})

/** A visitor who has opened `path` and so holds a form token. */
async function visitorAt(path: string) {
  const visitor = new Visitor(portal.url)
  const page = await visitor.get(path)
  expect(page.status).toBe(200)
  expect(visitor.csrf).toBeDefined()
  return visitor
}

/** Whatever differs between two pages for legitimate reasons, replaced by placeholders. */
const scrub = (visitor: Visitor, page: Page, echoed: Record<string, string> = {}) =>
  withoutTokens(page.body, { csrf: visitor.csrf, ...echoed })

const sessionCookieShape = (page: Page) =>
  page.setCookies.map((cookie) => cookie.replace(/^(portal_session=)[^;]*/, '$1ID'))

describe('the same answer, known or not', () => {
  it('/check/email: the same status, Location and cookie, then the same code page', async () => {
    const known = await visitorAt('/check/email')
    const unknown = await visitorAt('/check/email')
    const knownAsked = await known.post('/check/email', { csrf: known.csrf ?? '', email: BODY_ADDRESS })
    const unknownAsked = await unknown.post('/check/email', {
      csrf: unknown.csrf ?? '',
      email: unknownAddress(900),
    })
    expect(knownAsked.status).toBe(303)
    expect(unknownAsked.status).toBe(knownAsked.status)
    expect(knownAsked.location).toBe('/check/email/code')
    expect(unknownAsked.location).toBe(knownAsked.location)
    expect(sessionCookieShape(unknownAsked)).toEqual(sessionCookieShape(knownAsked))
    expect(sessionCookieShape(knownAsked)).toHaveLength(1)
    expect(unknownAsked.body).toBe(knownAsked.body)

    const knownPage = await known.get('/check/email/code')
    const unknownPage = await unknown.get('/check/email/code')
    expect(knownPage.status).toBe(200)
    expect(unknownPage.status).toBe(200)
    // Two visitors, two form tokens: everything else is byte for byte the same.
    expect(known.csrf).not.toBe(unknown.csrf)
    expect(scrub(unknown, unknownPage)).toBe(scrub(known, knownPage))

    // Each mailbox gets its answer: the code for the address in the data, "not affected" for the other.
    const notAffected = await mailTo(sink, unknownAddress(900), {
      accept: (mail) => plainText(mail.raw).includes(NOT_AFFECTED_TITLE),
      timeoutMs: 20_000,
    })
    const text = plainText(notAffected.raw)
    expect(emailCodeOf(notAffected)).toBeUndefined()
    expect(text).toContain('/message-check')
    expect(text).toContain(SUPPORT_EMAIL)
    expect(text).not.toMatch(/https?:\/\//)
    const code = await mailTo(sink, BODY_ADDRESS, { accept: (mail) => emailCodeOf(mail) !== undefined })
    expect(plainText(code.raw)).not.toContain(NOT_AFFECTED_TITLE)
    expect(
      sink.received.filter(
        (mail) => mail.to.includes(BODY_ADDRESS) && plainText(mail.raw).includes(NOT_AFFECTED_TITLE),
      ),
    ).toEqual([])
  })

  it('/check/email/code: a wrong code gets the same page on a known and an unknown address', async () => {
    const known = await visitorAt('/check/email')
    const unknown = await visitorAt('/check/email')
    const from = sink.received.length
    expect((await known.post('/check/email', { csrf: known.csrf ?? '', email: CODE_ADDRESS })).status).toBe(
      303,
    )
    const unknownAsked = await unknown.post('/check/email', {
      csrf: unknown.csrf ?? '',
      email: unknownAddress(901),
    })
    expect(unknownAsked.status).toBe(303)
    const sent = await emailCodeTo(sink, CODE_ADDRESS, from)
    const wrong = String((Number(sent) + 1) % 1_000_000).padStart(6, '0')

    const knownWrong = await known.post('/check/email/code', { csrf: known.csrf ?? '', code: wrong })
    const unknownWrong = await unknown.post('/check/email/code', { csrf: unknown.csrf ?? '', code: wrong })
    expect(knownWrong.status).toBe(422)
    expect(unknownWrong.status).toBe(422)
    expect(scrub(unknown, unknownWrong)).toBe(scrub(known, knownWrong))
  })

  it('/check/letter: an unknown code gets the same page as a known code with a wrong proof', async () => {
    const known = await visitorAt('/check/letter')
    const unknown = await visitorAt('/check/letter')
    const knownCode = letterCodes.at(-1) ?? ''
    const unknownCode = newLetterCode().printed
    const knownWrong = await known.post('/check/letter', {
      csrf: known.csrf ?? '',
      code: knownCode,
      proof: WRONG_PROOF,
    })
    const unknownWrong = await unknown.post('/check/letter', {
      csrf: unknown.csrf ?? '',
      code: unknownCode,
      proof: WRONG_PROOF,
    })
    expect(knownWrong.status).toBe(422)
    expect(unknownWrong.status).toBe(422)
    expect(knownWrong.body).toContain(`value="${knownCode}"`)
    expect(scrub(unknown, unknownWrong, { code: unknownCode })).toBe(
      scrub(known, knownWrong, { code: knownCode }),
    )
  })

  it('/check/letter: a code used before (it works for later visits) with a wrong proof still gets the unknown code’s page', async () => {
    const knownCode = letterCodes.at(-1) ?? ''
    const owner = await visitorAt('/check/letter')
    // member()'s default birth date: the owner's right proof, so the code has been used.
    const used = await owner.post('/check/letter', {
      csrf: owner.csrf ?? '',
      code: knownCode,
      proof: '1980-05-06',
    })
    expect(used.status).toBe(303)
    const known = await visitorAt('/check/letter')
    const unknown = await visitorAt('/check/letter')
    const unknownCode = newLetterCode().printed
    const knownWrong = await known.post('/check/letter', {
      csrf: known.csrf ?? '',
      code: knownCode,
      proof: WRONG_PROOF,
    })
    const unknownWrong = await unknown.post('/check/letter', {
      csrf: unknown.csrf ?? '',
      code: unknownCode,
      proof: WRONG_PROOF,
    })
    expect(knownWrong.status).toBe(422)
    expect(unknownWrong.status).toBe(422)
    expect(scrub(unknown, unknownWrong, { code: unknownCode })).toBe(
      scrub(known, knownWrong, { code: knownCode }),
    )
  })
})

// ---- timing ----

/** Known and unknown tries interleaved, within max(1 ms, IQR/3): see tests/support/timing.ts. */
const interleaved = (
  known: (i: number) => Promise<Page>,
  unknown: (i: number) => Promise<Page>,
  expectedStatus: number,
) => compareTimings({ known, unknown, tries: TRIES, warmUp: WARM_UP, expectedStatus, minBarMs: MIN_BAR_MS })

describe('the same time, known or not', () => {
  it(`/check/email POST: medians of ${TRIES} known and ${TRIES} unknown addresses, interleaved, within max(1 ms, IQR/3)`, async () => {
    const visitor = await visitorAt('/check/email')
    // The form token only: every try starts a session of its own, as a stranger's would.
    const cookie = `portal_csrf=${visitor.cookies.get('portal_csrf')}`
    const post = (email: string) =>
      visitor.post('/check/email', { csrf: visitor.csrf ?? '', email }, { Cookie: cookie })
    const result = await interleaved(
      (i) => post(knownAddress(Math.floor(i / USES_EACH))),
      (i) => post(unknownAddress(Math.floor(i / USES_EACH))),
      303,
    )
    console.log(timingSummary('/check/email POST', result))
    expect(result.gap).toBeLessThan(result.bar)
  }, 40_000)

  it(`/check/letter POST: medians of ${TRIES} known and ${TRIES} unknown codes, interleaved, within max(1 ms, IQR/3)`, async () => {
    const visitor = await visitorAt('/check/letter')
    const post = (code: string) =>
      visitor.post('/check/letter', { csrf: visitor.csrf ?? '', code, proof: WRONG_PROOF })
    // A few tries per known code, so none of them comes near its lock.
    const result = await interleaved(
      (i) => post(letterCodes[Math.floor(i / USES_EACH)] ?? ''),
      () => post(newLetterCode().printed),
      422,
    )
    console.log(timingSummary('/check/letter POST', result))
    expect(result.gap).toBeLessThan(result.bar)
  }, 40_000)
})
