import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * The README's promise: after `npm start`, a newcomer takes the demo member
 * 見本 花子 from the e-mail check, reading her code at /dev/outbox, through the
 * new password and her details to "ready", and signs in again.
 */

const HANAKO = 'hanako.mihon@example.jp'
const EXPOSED_PASSWORD = 'MihonHanako2012'
const NEW_PASSWORD = 'quiet harbour lanterns drift'

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal({ env: { PORTAL_DEMO_DATA: 'on' } })
}, 120_000)

afterAll(async () => {
  await portal?.stop()
})

/** The newest 6-digit code at /dev/outbox, as the newcomer reads it there. */
async function newestCode() {
  const html = await (await fetch(`${portal.url}/dev/outbox`)).text()
  const code = html.match(/(?<![\d-])(\d{6})(?![\d-])/)?.[1]
  if (!code) throw new Error('no code at /dev/outbox')
  return code
}

/** The details form's fields as the page fills them (radios: the checked one). */
function formFields(html: string) {
  const fields: Record<string, string> = {}
  for (const [tag] of html.matchAll(/<input[^>]*>/g)) {
    const name = tag.match(/name="([^"]+)"/)?.[1]
    if (!name) continue
    const value = tag.match(/value="([^"]*)"/)?.[1] ?? ''
    if (!/type="radio"/.test(tag) || /checked=""/.test(tag)) fields[name] = value
  }
  fields.prefecture = html.match(/<option value="([^"]+)" selected="">/)?.[1] ?? ''
  return fields
}

describe('the README demo member', { timeout: 120_000 }, () => {
  it('goes from the e-mail check to ready and signs in again', async () => {
    const visitor = new Visitor(portal.url)
    expect((await visitor.submit('/check/email', { email: HANAKO })).status).toBe(303)
    const verified = await visitor.post('/check/email/code', {
      csrf: visitor.csrf ?? '',
      code: await newestCode(),
    })
    expect(verified.location).toBe('/exposure')
    expect((await visitor.get('/account')).location).toBe('/account/password')

    await visitor.get('/account/password')
    const exposed = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: EXPOSED_PASSWORD,
      intent: 'save',
    })
    expect(exposed.status).toBe(422)
    const saved = await visitor.post('/account/password', {
      csrf: visitor.csrf ?? '',
      password: NEW_PASSWORD,
      intent: 'save',
    })
    expect(saved.location).toBe('/account/details?saved=password')

    const details = await visitor.get('/account/details')
    expect(details.body).toContain('value="見本"')
    const confirmed = await visitor.post('/account/details', formFields(details.body))
    expect(confirmed.location).toBe('/account?saved=details')
    expect((await visitor.get('/account')).status).toBe(200)

    const later = new Visitor(portal.url)
    const signedIn = await later.submit('/signin', { email: HANAKO, password: NEW_PASSWORD })
    expect(signedIn.location).toBe('/account')
  })
})
