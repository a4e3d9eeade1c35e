import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importExport, printerRows, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/**
 * A member the shop never had an e-mail address for, told by postcard, as the
 * demo's 試験 太郎: the letter code opens their page (more than once), they set
 * a new password and confirm their details without being made to add an
 * address, and afterwards sign in with their member ID; the letter code then
 * sends them to sign in rather than into the member pages.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const ACCOUNT = locale('ja', 'account')
const CHECK = locale('ja', 'check')

const MEMBER_ID = 'M00000042'
const BIRTH_DATE = '1948-11-03'
const NEW_PASSWORD = 'quiet harbour lanterns drift 48'

const secrets = testSecrets()
let portal: PortalServer
let letterCode = ''

beforeAll(async () => {
  portal = await startPortal({ env: secrets })
  const { postcards, summary } = await importExport(
    portal,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        member({
          member_id: MEMBER_ID,
          family_name: '試験',
          given_name: '太郎',
          family_name_kana: 'シケン',
          given_name_kana: 'タロウ',
          birth_date: BIRTH_DATE,
          phone: '06-0000-0002',
          postal_code: '530-0001',
          prefecture: '大阪府',
          city: '大阪市北区',
        }),
      ],
    },
    { notify: true },
  )
  expect(summary).toMatchObject({ email: 0, postcard: 1 })
  letterCode = printerRows(postcards)[0]?.letter_code ?? ''
  expect(letterCode).not.toBe('')
}, 90_000)

afterAll(async () => {
  await portal?.stop()
})

/** A fresh browser that proves who it is with the postcard's letter code. */
async function byLetter() {
  const visitor = new Visitor(portal.url)
  const checked = await visitor.submit('/check/letter', { code: letterCode, proof: BIRTH_DATE })
  return { visitor, checked }
}

/** The details form as the page fills it, with `changes` on top. */
async function detailsForm(visitor: Visitor, changes: Record<string, string> = {}) {
  const page = await visitor.get('/account/details')
  expect(page.status).toBe(200)
  const fields: Record<string, string> = { csrf: visitor.csrf ?? '' }
  for (const [tag] of page.body.matchAll(/<input[^>]*>/g)) {
    const name = tag.match(/name="([^"]+)"/)?.[1]
    const value = tag.match(/value="([^"]*)"/)?.[1] ?? ''
    if (!name || name === 'csrf') continue
    if (!/type="radio"/.test(tag) || /checked=""/.test(tag)) fields[name] = value
  }
  fields.prefecture = page.body.match(/<option value="([^"]+)" selected="">/)?.[1] ?? ''
  return { page, fields: { ...fields, ...changes } }
}

const letterCodeUses = () => portalValue<number>(portal.databaseUrl, 'select count(*) from letter_code_uses')

describe('a member without an e-mail address', { timeout: 120_000 }, () => {
  it('finishes with the letter code and no e-mail address, then signs in with member ID and password', async () => {
    const { visitor, checked } = await byLetter()
    expect(checked.status).toBe(303)
    expect(checked.location).toBe('/exposure')
    await visitor.get('/account/password')
    const saved = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: NEW_PASSWORD,
      intent: 'save',
    })
    expect(saved.location).toBe('/account/details?saved=password')

    const { page, fields } = await detailsForm(visitor)
    expect(fields.email).toBe('')
    const confirmed = await visitor.post('/account/details', fields)
    expect(confirmed.status).toBe(303)
    // Nothing about an old address they never had, and the field says it may stay empty.
    expect(page.body).not.toContain(ACCOUNT.details.hints.email)
    expect(page.body).toContain(ACCOUNT.details.hints.emailOptional)
    expect(confirmed.location).toBe('/account?saved=details')
    const hub = await visitor.get('/account?saved=details')
    expect(hub.status).toBe(200)
    expect(hub.body).toContain(MEMBER_ID)

    // Another day, another browser: member ID (typed in lower case, full width) and the new password.
    const later = new Visitor(portal.url)
    const signedIn = await later.submit('/signin', { email: 'ｍ００００００４２', password: NEW_PASSWORD })
    expect(signedIn.status).toBe(303)
    expect(signedIn.location).toBe('/account')
    expect((await later.get('/account')).status).toBe(200)
  })

  it('is sent to sign in, not into the member pages, when the letter code is used after the new password', async () => {
    const before = await letterCodeUses()
    const { visitor, checked } = await byLetter()
    expect(checked.status).toBe(200)
    expect(checked.body).toContain(CHECK.letter.signInInstead.heading)
    expect(checked.body).toContain('href="/signin"')
    expect(checked.body).toContain(MEMBER_ID)
    // No session was opened: the member pages stay closed.
    expect((await visitor.get('/account')).status).toBe(403)
    expect(await letterCodeUses()).toBe((before ?? 0) + 1)
  })

  it('may add an e-mail address later: a code confirms it, and nothing speaks of an old address', async () => {
    const visitor = new Visitor(portal.url)
    await visitor.submit('/signin', { email: MEMBER_ID, password: NEW_PASSWORD })
    const { fields } = await detailsForm(visitor, { email: 'taro.shiken@example.jp' })
    const changed = await visitor.post('/account/details', fields)
    expect(changed.status).toBe(303)
    expect(changed.location).toBe('/account/email?saved=details')
    const page = await visitor.get('/account/email')
    expect(page.status).toBe(200)
    expect(page.body).toContain(ACCOUNT.email.introFirst.replace('{{email}}', 'taro.shiken@example.jp'))
    expect(page.body).not.toContain(ACCOUNT.email.cancel)
    expect(page.body).toContain(ACCOUNT.email.cancelFirst)
  })
})
