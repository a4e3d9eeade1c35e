import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { csrfOf, importExport, printerRows, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalRun } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/**
 * When the portal stops a person who did nothing wrong: their session ended on
 * a personal page, or the browser forgot the CSRF cookie a form's token belongs
 * to (closed and opened again). Each gets a page saying what happened and the
 * way back (the check they used, the form again), never a silent redirect or
 * "try again later", in both languages and with whom to contact.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const COMMON = { ja: locale('ja', 'common'), en: locale('en', 'common') }
const ACCEPT = { ja: { 'Accept-Language': 'ja' }, en: { 'Accept-Language': 'en' } }

// One each: a letter code works once.
const PEOPLE = {
  letterJa: { id: 'M1', family: '一条', proof: '1970-01-02' },
  letterEn: { id: 'M2', family: '二宮', proof: '1971-03-04' },
  passwordJa: { id: 'M3', family: '三浦', proof: '1972-05-06' },
  passwordEn: { id: 'M4', family: '四谷', proof: '1973-07-08' },
  signout: { id: 'M5', family: '五味', proof: '1974-09-10' },
  unused: { id: 'M6', family: '六角', proof: '1975-11-12' },
}

const secrets = testSecrets()
let portal: PortalServer
const codes = {} as Record<keyof typeof PEOPLE, string>

beforeAll(async () => {
  portal = await startPortal({ env: secrets })
  const { postcards } = await importExport(
    portal,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        ...Object.values(PEOPLE).map((p) =>
          member({ member_id: p.id, family_name: p.family, birth_date: p.proof }),
        ),
      ],
    },
    { notify: true },
  )
  const rows = printerRows(postcards)
  for (const key of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) {
    codes[key] = rows.find((row) => row.recipient?.startsWith(PEOPLE[key].family))?.letter_code ?? ''
    expect(codes[key], key).not.toBe('')
  }
})

afterAll(async () => {
  await portal?.stop()
})

/** The help block every stopping page carries: the desk's address and what to have ready. */
function expectSupport(body: string, language: 'ja' | 'en') {
  expect(body).toContain(`href="mailto:${SUPPORT_EMAIL}"`)
  expect(body).toContain(COMMON[language].support.haveReady)
  for (const item of Object.values(COMMON[language].support.items) as string[]) expect(body).toContain(item)
}

async function verifiedByLetter(person: keyof typeof PEOPLE, language: 'ja' | 'en' = 'ja') {
  const visitor = new Visitor(portal.url, ACCEPT[language])
  const verified = await visitor.submit('/check/letter', { code: codes[person], proof: PEOPLE[person].proof })
  expect(verified.status).toBe(303)
  expect(verified.location).toBe('/exposure')
  return visitor
}

/** Moves every session back in time, as if its visitor had been away. */
async function ageSessions(minutes: number) {
  await portalRun(portal.databaseUrl, 'update sessions set last_seen_at = last_seen_at - ?', minutes * 60_000)
}

describe('a session that ended', () => {
  it('says so on /exposure and leads back to the letter check it was made with, in ja and en', async () => {
    for (const language of ['ja', 'en'] as const) {
      const visitor = await verifiedByLetter(language === 'ja' ? 'letterJa' : 'letterEn', language)
      expect((await visitor.get('/exposure')).status).toBe(200)
      expect(visitor.cookies.get('portal_check_way')).toBe('letter')
      await ageSessions(31)
      const ended = await visitor.get('/exposure')
      expect(ended.status).toBe(403)
      expect(ended.location).toBeNull()
      expect(ended.body).toContain(COMMON[language].sessionEnded.ended.title)
      expect(ended.body).toContain(`<title>${COMMON[language].sessionEnded.ended.title}`)
      expect(ended.body).toContain(`href="/check/letter"`)
      expect(ended.body).toContain(COMMON[language].sessionEnded.ways.letter)
      // The other ways stay open.
      expect(ended.body).toContain('href="/check"')
      expect(ended.body).not.toContain(COMMON[language].errors.clientError.body)
      expectSupport(ended.body, language)
      // The member's pages say the same.
      const account = await visitor.get('/account/password')
      expect(account.status).toBe(403)
      expect(account.body).toContain(`href="/check/letter"`)
    }
  })

  it('leads back to sign-in for a browser that signed in, and to /check when it does not say', async () => {
    const signedIn = await new Visitor(portal.url).get('/account', {
      Cookie: `portal_session=${'A'.repeat(43)}; portal_check_way=signin`,
    })
    expect(signedIn.status).toBe(403)
    expect(signedIn.body).toContain('href="/signin"')
    expect(signedIn.body).toContain(COMMON.ja.sessionEnded.ways.signin)

    const unknown = await new Visitor(portal.url).get('/exposure', {
      Cookie: `portal_session=${'A'.repeat(43)}`,
    })
    expect(unknown.status).toBe(403)
    expect(unknown.body).toContain(COMMON.ja.sessionEnded.ended.title)
    expect(unknown.body).toContain(`href="/check"`)
    expect(unknown.body).toContain(COMMON.ja.sessionEnded.ways.any)
  })

  it('tells a visitor who never checked to check first', async () => {
    for (const language of ['ja', 'en'] as const) {
      const page = await new Visitor(portal.url, ACCEPT[language]).get('/exposure')
      expect(page.status).toBe(403)
      expect(page.body).toContain(COMMON[language].sessionEnded.notYet.title)
      expect(page.body).toContain('href="/check"')
      expectSupport(page.body, language)
    }
  })

  it('gives the code page without a code pending the same page, leading to the e-mail check', async () => {
    for (const language of ['ja', 'en'] as const) {
      const visitor = new Visitor(portal.url, ACCEPT[language])
      const page = await visitor.get('/check/email/code')
      expect(page.status).toBe(403)
      expect(page.location).toBeNull()
      expect(page.body).toContain('href="/check/email"')
      expect(page.body).toContain(COMMON[language].sessionEnded.ways.email)
      expectSupport(page.body, language)
      // Posting a code to it (a tab left open past the session) is answered the same way.
      await visitor.get('/check/email')
      const posted = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code: '123456' })
      expect(posted.status).toBe(403)
      expect(posted.body).toContain('href="/check/email"')
    }
  })
})

describe('a form whose CSRF cookie is gone', () => {
  /** A visitor who opened `path`, whose browser then forgot its CSRF cookie (closed and opened again). */
  async function restartedBrowser(
    path: string,
    language: 'ja' | 'en',
    visitor = new Visitor(portal.url, ACCEPT[language]),
  ) {
    const form = await visitor.get(path)
    expect(form.status).toBe(200)
    expect(visitor.cookies.delete('portal_csrf')).toBe(true)
    return visitor
  }

  it('sends /check/email back with a fresh token and the address typed, and then takes it', async () => {
    for (const language of ['ja', 'en'] as const) {
      const visitor = await restartedBrowser('/check/email', language)
      const stale = visitor.csrf ?? ''
      const refused = await visitor.post('/check/email', { csrf: stale, email: 'someone@example.jp' })
      expect(refused.status).toBe(403)
      expect(refused.body).toContain(COMMON[language].formExpired.notice)
      expect(refused.body).not.toContain(COMMON[language].errors.clientError.body)
      expect(refused.body).toContain('value="someone@example.jp"')
      expect(refused.setCookies.join('\n')).toMatch(/^portal_csrf=[A-Za-z0-9_-]{43};/m)
      const fresh = csrfOf(refused.body)
      expect(fresh).toBeDefined()
      expect(fresh).not.toBe(stale)
      expectSupport(refused.body, language)
      const again = await visitor.post('/check/email', { csrf: fresh ?? '', email: 'someone@example.jp' })
      expect(again.status).toBe(303)
      expect(again.location).toBe('/check/email/code')
    }
  })

  it('never sends a password or a second factor back', async () => {
    const signin = await restartedBrowser('/signin', 'ja')
    const refusedSignIn = await signin.post('/signin', {
      csrf: signin.csrf ?? '',
      email: 'someone@example.jp',
      password: 'correct horse battery staple',
    })
    expect(refusedSignIn.status).toBe(403)
    expect(refusedSignIn.body).toContain('value="someone@example.jp"')
    expect(refusedSignIn.body).not.toContain('correct horse battery staple')

    const letter = await restartedBrowser('/check/letter', 'ja')
    const refusedLetter = await letter.post('/check/letter', {
      csrf: letter.csrf ?? '',
      code: codes.unused,
      proof: PEOPLE.unused.proof,
    })
    expect(refusedLetter.status).toBe(403)
    expect(refusedLetter.body).toContain(COMMON.ja.formExpired.notice)
    expect(refusedLetter.body).toContain(`value="${codes.unused}"`)
    expect(refusedLetter.body).not.toContain(PEOPLE.unused.proof)
    // Nothing was checked: the visitor is still not verified.
    expect((await letter.get('/exposure')).status).toBe(403)
  })

  it("gives a member's page the page saying so, with the way back to the form", async () => {
    for (const language of ['ja', 'en'] as const) {
      const visitor = await restartedBrowser(
        '/account/password',
        language,
        await verifiedByLetter(language === 'ja' ? 'passwordJa' : 'passwordEn', language),
      )
      const refused = await visitor.post('/account/password', {
        csrf: visitor.csrf ?? '',
        password: 'quiet harbour lanterns drift',
        intent: 'save',
      })
      expect(refused.status).toBe(403)
      expect(refused.body).toContain(COMMON[language].formExpired.title)
      expect(refused.body).toContain('href="/account/password"')
      expect(refused.body).not.toContain('quiet harbour lanterns drift')
      expect(refused.body).not.toContain(COMMON[language].errors.clientError.body)
      expectSupport(refused.body, language)
      // The way back is the form again, which works.
      const form = await visitor.get('/account/password')
      expect(form.status).toBe(200)
      expect(visitor.cookies.get('portal_csrf')).toBeDefined()
    }
  })

  it('lets sign-out be sent again from the page that says so', async () => {
    const visitor = await restartedBrowser('/exposure', 'ja', await verifiedByLetter('signout'))
    const refused = await visitor.post('/signout', { csrf: visitor.csrf ?? '' })
    expect(refused.status).toBe(403)
    expect(refused.body).toContain(COMMON.ja.formExpired.title)
    expect(refused.body).toContain('action="/signout"')
    expect((await visitor.get('/exposure')).status).toBe(200)
    const again = await visitor.post('/signout', { csrf: csrfOf(refused.body) ?? '' })
    expect(again.status).toBe(303)
    expect((await visitor.get('/exposure')).status).toBe(403)
  })

  it('still refuses a post from another site outright', async () => {
    const visitor = new Visitor(portal.url)
    await visitor.get('/check/email')
    const refused = await visitor.post(
      '/check/email',
      { csrf: visitor.csrf ?? '', email: 'someone@example.jp' },
      { Origin: 'https://evil.example' },
    )
    expect(refused.status).toBe(403)
    expect(refused.body).not.toContain('someone@example.jp')
  })
})
