import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newLetterCode, readLetterCode } from '~/codes/letter-code.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  importExport,
  letterCodeOf,
  mailTo,
  printerRows,
  Visitor,
  withoutTokens,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalValue, tableColumns } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * Proving who you are with the code of a notice (e-mail, postcard or
 * handout) and one thing on file, over real HTTP against the built server.
 * The codes are issued by the real notify command on the server's database:
 * an e-mail notice's code is read from the SMTP sink, the others from the
 * printer files notify writes.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const LETTER = locale('ja', 'check').letter
const ERRORS = LETTER.errors as Record<'checkTheCode' | 'noMatch' | 'unreadableDate', string>
const EXPOSURE_HEADING: string = locale('ja', 'exposure').heading

const BY_EMAIL = 'ichiro.letter@example.jp'

/** Who holds which code, and what each can prove with. */
const PEOPLE = {
  birthDate: { family: '一条', proof: '昭和55年5月6日' },
  phone: { family: '二宮', proof: '090-1234-5678' },
  typos: { family: '三浦', proof: '1975-01-02' },
  locked: { family: '四谷', proof: '1990-03-04' },
  used: { family: '五味', proof: '1985-07-08' },
  unreadable: { family: '七尾', proof: '昭和十四年四月五日' },
  staff: { id: 'W-101', proof: 'w-101' },
}

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer
const codes = {} as Record<keyof typeof PEOPLE, string>

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' } })
  const { postcards, handouts, summary } = await importExport(
    portal,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        // 1980-05-06 is the default birth date: 昭和55年5月6日.
        member({ member_id: 'M1', family_name: PEOPLE.birthDate.family, email: BY_EMAIL }),
        member({
          member_id: 'M2',
          family_name: PEOPLE.phone.family,
          phone: PEOPLE.phone.proof,
          birth_date: '',
        }),
        member({ member_id: 'M3', family_name: PEOPLE.typos.family, birth_date: PEOPLE.typos.proof }),
        member({ member_id: 'M4', family_name: PEOPLE.locked.family, birth_date: PEOPLE.locked.proof }),
        member({ member_id: 'M5', family_name: PEOPLE.used.family, birth_date: PEOPLE.used.proof }),
        member({ member_id: 'M6', family_name: PEOPLE.unreadable.family, birth_date: '1939-04-05' }),
      ],
      'warehouse_staff.csv': [
        ['staff_id', 'family_name', 'given_name'],
        [PEOPLE.staff.id, '六角', '六'],
      ],
    },
    { notify: true },
  )
  expect(summary).toMatchObject({ email: 1, postcard: 5, handout: 1 })
  const postcardRows = printerRows(postcards)
  for (const key of ['phone', 'typos', 'locked', 'used', 'unreadable'] as const) {
    const row = postcardRows.find((r) => r.recipient?.startsWith(PEOPLE[key].family))
    codes[key] = row?.letter_code ?? ''
  }
  codes.staff = printerRows(handouts).find((r) => r.id === PEOPLE.staff.id)?.letter_code ?? ''
  const notice = await mailTo(sink, BY_EMAIL, { accept: (mail) => letterCodeOf(mail) !== undefined })
  codes.birthDate = letterCodeOf(notice) ?? ''
  for (const [key, code] of Object.entries(codes)) expect(readLetterCode(code).ok, key).toBe(true)
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
})

function check(visitor: Visitor, code: string, proof: string) {
  return visitor.submit('/check/letter', { code, proof })
}

/** A page with the form token and the echoed code taken out. */
const normalised = (visitor: Visitor, body: string, code: string) =>
  withoutTokens(body, { csrf: visitor.csrf, code })

/** `code` in full-width letters and digits, as a Japanese keyboard may type it. */
const fullWidth = (code: string) =>
  code.replace(/[0-9A-Z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

async function expectVerified(code: string, proof: string) {
  const visitor = new Visitor(portal.url)
  const verified = await check(visitor, code, proof)
  expect(verified.status).toBe(303)
  expect(verified.location).toBe('/exposure')
  expect(verified.setCookies.join('\n')).toMatch(/^portal_session=[A-Za-z0-9_-]{43};/m)
  const exposure = await visitor.get('/exposure')
  expect(exposure.status).toBe(200)
  expect(exposure.body).toContain(EXPOSURE_HEADING)
  return exposure
}

describe('checking by letter code', () => {
  it('verifies an e-mailed code with the date of birth', async () => {
    await expectVerified(codes.birthDate, PEOPLE.birthDate.proof)
  })

  it('verifies a postcard code, typed in lower case without hyphens, with the phone number', async () => {
    await expectVerified(codes.phone.replaceAll('-', '').toLowerCase(), PEOPLE.phone.proof)
  })

  it('verifies a handout code, typed full-width, with the staff ID', async () => {
    const exposure = await expectVerified(fullWidth(codes.staff), PEOPLE.staff.proof)
    expect(exposure.body).toContain(locale('ja', 'exposure').cohorts.warehouse_staff.name)
  })

  it('answers a typo "check the code" without counting it towards the lock', async () => {
    const visitor = new Visitor(portal.url)
    // One short of the lock.
    for (let i = 1; i <= 9; i++) {
      const wrong = await check(visitor, codes.typos, `2000-01-${String(i).padStart(2, '0')}`)
      expect(wrong.status, `wrong proof ${i}`).toBe(422)
      expect(wrong.body).toContain(ERRORS.noMatch)
    }
    // A wrong first symbol: the check symbol catches it before any lookup.
    const first = codes.typos[0] === '7' ? '8' : '7'
    const typo = `${first}${codes.typos.slice(1)}`
    expect(readLetterCode(typo).ok).toBe(false)
    for (let i = 0; i < 3; i++) {
      const caught = await check(visitor, typo, PEOPLE.typos.proof)
      expect(caught.status).toBe(422)
      expect(caught.body).toContain(ERRORS.checkTheCode)
      expect(caught.body).not.toContain(ERRORS.noMatch)
      // The code is echoed back for correcting.
      expect(caught.body).toContain(`value="${typo}"`)
    }
    // Nine failures, not twelve: the code is still open.
    const right = await check(visitor, codes.typos, PEOPLE.typos.proof)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('says a date it cannot read is unreadable, and does not count it towards the lock', async () => {
    const visitor = new Visitor(portal.url)
    const form = await visitor.get('/check/letter')
    // The hint says the Japanese era works.
    expect(form.body).toContain('和暦')
    expect((await new Visitor(portal.url).get('/check/letter?lng=en')).body).toContain('Japanese era')
    // One short of the lock.
    for (let i = 1; i <= 9; i++) {
      const wrong = await check(visitor, codes.unreadable, `2000-03-${String(i).padStart(2, '0')}`)
      expect(wrong.status, `wrong proof ${i}`).toBe(422)
      expect(wrong.body).toContain(ERRORS.noMatch)
    }
    for (const typed of ['昭和十四年四月三十一日', '1985年13月1日', '85/4/1', '昭和十四年四月']) {
      const unreadable = await check(visitor, codes.unreadable, typed)
      expect(unreadable.status, typed).toBe(422)
      expect(unreadable.body, typed).toContain(ERRORS.unreadableDate)
      expect(unreadable.body, typed).not.toContain(ERRORS.noMatch)
      // The code stays filled in; the date is typed again.
      expect(unreadable.body).toContain(`value="${codes.unreadable}"`)
    }
    const english = new Visitor(portal.url)
    const en = await english.submit('/check/letter?lng=en', {
      code: codes.unreadable,
      proof: '1985年13月1日',
    })
    expect(en.body).toContain(locale('en', 'check').letter.errors.unreadableDate)
    // An unknown code gets the same answer: it says nothing about the code.
    const unknownCode = newLetterCode().printed
    const unknown = await check(visitor, unknownCode, '1985年13月1日')
    expect(unknown.body).toContain(ERRORS.unreadableDate)
    // Nine failures, not fourteen: the code is still open, and the date in kanji numerals proves it.
    const right = await check(visitor, codes.unreadable, PEOPLE.unreadable.proof)
    expect(right.status).toBe(303)
    expect(right.location).toBe('/exposure')
  })

  it('locks a code after 10 wrong proofs: then it says so, with whom to contact, even for the right proof', async () => {
    const visitor = new Visitor(portal.url)
    for (let i = 1; i <= 10; i++) {
      const wrong = await check(visitor, codes.locked, `2000-02-${String(i).padStart(2, '0')}`)
      expect(wrong.status, `wrong proof ${i}`).toBe(422)
      // Up to the tenth, a live code with a wrong proof answers as an unknown code does.
      expect(wrong.body).toContain(ERRORS.noMatch)
    }
    for (const proof of [PEOPLE.locked.proof, '2000-02-11']) {
      const locked = await check(visitor, codes.locked, proof)
      expect(locked.status).toBe(403)
      expect(locked.body).toContain(LETTER.locked.heading)
      expect(locked.body).toContain(SUPPORT_EMAIL)
      expect(locked.body).not.toContain(ERRORS.noMatch)
      expect(locked.body).not.toContain(ERRORS.checkTheCode)
    }
    expect((await visitor.get('/exposure')).status).toBe(403)
    // In English too.
    const en = await visitor.request('/check/letter?lng=en', {
      method: 'POST',
      body: { csrf: visitor.csrf ?? '', code: codes.locked, proof: PEOPLE.locked.proof },
      headers: { Origin: portal.url },
    })
    expect(en.status).toBe(403)
    expect(en.body).toContain(locale('en', 'check').letter.locked.heading)

    // An unknown code is not "locked": it keeps the answer a wrong proof gets.
    const unknownCode = newLetterCode().printed
    const unknown = await check(new Visitor(portal.url), unknownCode, PEOPLE.locked.proof)
    expect(unknown.status).toBe(422)
    expect(unknown.body).toContain(ERRORS.noMatch)
    expect(unknown.body).not.toContain(LETTER.locked.heading)
  })

  it('takes a code again on later visits, each in a fresh session, and records every use', async () => {
    await expectVerified(codes.used, PEOPLE.used.proof)
    await expectVerified(codes.used, PEOPLE.used.proof)
    // Both uses are on the case of the code's notice.
    const usesOfLastCode = await portalValue<number>(
      portal.databaseUrl,
      `select count(*) from letter_code_uses where notification_id =
         (select notification_id from letter_code_uses order by id desc limit 1)`,
    )
    expect(usesOfLastCode).toBe(2)
    // What a use records: the notification and the time, nothing personal.
    const columns = await tableColumns(portal.databaseUrl, 'letter_code_uses')
    expect(columns.sort()).toEqual(['id', 'notification_id', 'used_at'])
    // A used code with a wrong proof still answers as an unknown one.
    const visitor = new Visitor(portal.url)
    const wrong = await check(visitor, codes.used, '2001-01-01')
    expect(wrong.status).toBe(422)
    const unknownCode = newLetterCode().printed
    const unknown = await check(visitor, unknownCode, '2001-01-01')
    expect(normalised(visitor, wrong.body, codes.used)).toBe(normalised(visitor, unknown.body, unknownCode))
  })
})

describe('a letter code past LETTER_CODE_VALID_UNTIL', () => {
  let expiredPortal: PortalServer
  let expiredCode = ''

  beforeAll(async () => {
    expiredPortal = await startPortal({ env: { ...secrets, LETTER_CODE_VALID_UNTIL: '2026-07-22' } })
    const { postcards } = await importExport(
      expiredPortal,
      secrets,
      { 'members.csv': [MEMBER_COLUMNS, member({ member_id: 'X1', family_name: '七瀬' })] },
      { notify: true },
    )
    expiredCode = printerRows(postcards)[0]?.letter_code ?? ''
    expect(readLetterCode(expiredCode).ok).toBe(true)
  }, 90_000)

  afterAll(async () => {
    await expiredPortal?.stop()
  })

  it('says it has expired, since when, and whom to contact, in both languages', async () => {
    for (const language of ['ja', 'en'] as const) {
      const visitor = new Visitor(expiredPortal.url)
      await visitor.get(`/check/letter?lng=${language}`)
      const expired = await visitor.request(`/check/letter?lng=${language}`, {
        method: 'POST',
        body: { csrf: visitor.csrf ?? '', code: expiredCode, proof: '1980-05-06' },
        headers: { Origin: expiredPortal.url },
      })
      expect(expired.status).toBe(403)
      const strings = locale(language, 'check').letter
      expect(expired.body).toContain(strings.expired.heading)
      expect(expired.body).toContain(language === 'ja' ? '2026年7月22日' : '22 July 2026')
      expect(expired.body).toContain(SUPPORT_EMAIL)
      expect(expired.body).not.toContain(strings.errors.noMatch)
      // No session was opened: the personal page says so instead of showing anything.
      expect((await visitor.get('/exposure')).status).toBe(403)
    }
  })

  it('still answers a mistyped code "check the code", so a typo is not taken for the expiry', async () => {
    const visitor = new Visitor(expiredPortal.url)
    const first = expiredCode[0] === '7' ? '8' : '7'
    const typo = await check(visitor, `${first}${expiredCode.slice(1)}`, '1980-05-06')
    expect(typo.status).toBe(422)
    expect(typo.body).toContain(ERRORS.checkTheCode)
  })
})
