import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newMessageReference } from '~/codes/message-reference.server'
import { importAsDemoData } from '../support/demo-import'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalCommand } from '../support/portal-command'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

const RECIPIENT = 'hanako.mihon@example.jp'
const REFERENCE = /R-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/
const MAIL_FROM = 'Sekaimon <notices@portal.example>'
const STAFF_ID = 'W-2001'

const SENT = '当社からお送りしたものです'
const NOT_SENT = '当社から送ったものではありません'

const run = promisify(execFile)

/** Runs one of the portal's commands against the server's database, with the server's secrets. */
async function runCommand(script: string, args: string[], env: Record<string, string>, cwd: string) {
  const command = portalCommand(script)
  return run(command.command, [...command.args, ...args], {
    cwd,
    env: { ...command.env, PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    timeout: 60_000,
  })
}

/** A portal whose database holds one member told by e-mail and one by postcard; their references. */
async function notifiedPortal(env: Record<string, string> = {}) {
  const secrets = testSecrets()
  const portal = await startPortal({ env: { ...secrets, MAIL_FROM, ...env } })
  let directory: string | undefined
  try {
    // As demo data, so that /dev/outbox shows the e-mail (an imported export turns it off).
    directory = await importAsDemoData(portal, secrets, {
      'members.csv': [
        MEMBER_COLUMNS,
        member({ member_id: 'M1', email: RECIPIENT }),
        member({ member_id: 'M2', family_name: '葉書', birth_date: '1970-01-02', postal_code: '150-0001' }),
      ],
      'warehouse_staff.csv': [
        ['staff_id', 'family_name', 'given_name'],
        [STAFF_ID, '配布', '一'],
      ],
    })
    const commandEnv = { DATABASE_URL: portal.databaseUrl, ...secrets }
    const postcards = join(directory, 'postcards.csv')
    const handouts = join(directory, 'handouts.csv')
    const notified = await runCommand(
      'app/cli/notify.ts',
      ['--json', '--postcards', postcards, '--handouts', handouts],
      commandEnv,
      directory,
    )
    expect(JSON.parse(notified.stdout)).toMatchObject({ email: 1, postcard: 1, handout: 1 })
    const outbox = await (await fetch(`${portal.url}/dev/outbox`)).text()
    const emailReference = outbox.match(REFERENCE)?.[0]
    const [postcard] = parse(readFileSync(postcards), { bom: true, columns: true }) as {
      message_reference: string
    }[]
    const [handout] = parse(readFileSync(handouts), { bom: true, columns: true }) as {
      message_reference: string
    }[]
    if (!emailReference || !postcard || !handout) throw new Error('no references were made')
    return {
      portal,
      emailReference,
      postcardReference: postcard.message_reference,
      handoutReference: handout.message_reference,
    }
  } catch (error) {
    await portal.stop()
    throw error
  } finally {
    if (directory) rmSync(directory, { recursive: true, force: true })
  }
}

type Visitor = { cookie: string; csrf: string }

/** What a browser gets from the form page: its CSRF cookie and the form's token. */
async function visit(portal: PortalServer): Promise<Visitor> {
  const response = await fetch(`${portal.url}/message-check`)
  expect(response.status).toBe(200)
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? ''
  const csrf = (await response.text()).match(/name="csrf" value="([^"]+)"/)?.[1] ?? ''
  expect(cookie).not.toBe('')
  expect(csrf).not.toBe('')
  return { cookie, csrf }
}

function post(portal: PortalServer, visitor: Visitor, fields: Record<string, string>, withToken = true) {
  return fetch(`${portal.url}/message-check`, {
    method: 'POST',
    headers: { Origin: portal.url, Cookie: visitor.cookie },
    body: new URLSearchParams(withToken ? { csrf: visitor.csrf, ...fields } : fields),
    redirect: 'manual',
  })
}

/** The page without what differs by request on purpose: tokens, nonces and the echoed input. */
function withoutTokensAndInput(html: string, visitor: Visitor, echoed: string[]) {
  let page = html.replaceAll(visitor.csrf, 'TOKEN').replace(/nonce="[^"]*"/g, 'nonce=""')
  // The language switcher's token, in its form and the hydration data.
  const switcherToken = html.match(/name="csrf-language" value="([^"]*)"/)?.[1]
  if (switcherToken) page = page.replaceAll(switcherToken, 'SWITCHER_TOKEN')
  for (const value of echoed) page = page.replaceAll(value, 'INPUT')
  return page
}

describe('/message-check', () => {
  let portal: PortalServer
  let emailReference: string
  let postcardReference: string
  let handoutReference: string
  let visitor: Visitor

  beforeAll(async () => {
    ;({ portal, emailReference, postcardReference, handoutReference } = await notifiedPortal())
    visitor = await visit(portal)
  }, 120_000)

  afterAll(async () => {
    await portal?.stop()
  })

  it('shows the form and the official senders, uncached and unreferred', async () => {
    const response = await fetch(`${portal.url}/message-check`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('referrer-policy')?.split(',').at(-1)?.trim()).toBe('no-referrer')
    const html = await response.text()
    expect(html).toContain('<html lang="ja"')
    expect(html).toContain('当社から届いたメッセージか確認する')
    expect(html).toMatch(/<label for="reference">参照番号<\/label>/)
    expect(html).toMatch(/<label for="address">届いた宛先<\/label>/)
    expect(html).toContain('<code>notices@portal.example</code>')
    expect(html).toContain('<code>support@sekaimon.com</code>')
    expect(html).toContain('<code>portal.example</code>')
    expect(html).toContain('<code>sekaimon.com</code>')
    expect(html).not.toContain(SENT)
    expect(html).not.toContain(NOT_SENT)
  })

  it('is in English with ?lng=en', async () => {
    const html = await (await fetch(`${portal.url}/message-check?lng=en`)).text()
    expect(html).toContain('<html lang="en"')
    expect(html).toContain('Check whether a message is really from us')
    expect(html).toContain('<code>notices@portal.example</code>')
  })

  it('is linked from the check chooser', async () => {
    const html = await (await fetch(`${portal.url}/check`)).text()
    expect(html).toContain('href="/message-check"')
  })

  it('says "we sent this" for the reference and the address it went to, in any case', async () => {
    const response = await post(portal, visitor, {
      reference: emailReference.toLowerCase(),
      address: RECIPIENT.toUpperCase(),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const html = await response.text()
    expect(html).toContain(SENT)
    expect(html).not.toContain(NOT_SENT)
    expect(html).toContain('<code>notices@portal.example</code>')
  })

  it('says "we sent this" for a postcard by its postal code', async () => {
    for (const postalCode of ['〒150-0001', '1500001']) {
      const response = await post(portal, visitor, { reference: postcardReference, address: postalCode })
      expect(response.status).toBe(200)
      expect(await response.text()).toContain(SENT)
    }
  })

  it('says "we did not send this" with the same status, and what to do about it', async () => {
    const response = await post(portal, visitor, { reference: emailReference, address: 'someone@example.jp' })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const html = await response.text()
    expect(html).toContain(NOT_SENT)
    expect(html).not.toContain(SENT)
    expect(html).toContain('リンクはクリックしないでください')
    expect(html).toContain('電話番号には電話しないでください')
    expect(html).toContain('削除してください')
    expect(html).toContain('<code>support@sekaimon.com</code>')
  })

  it('says "we sent this" for a handout by the staff ID it was handed out for, and not for another', async () => {
    const html = await (await fetch(`${portal.url}/message-check`)).text()
    expect(html).toMatch(/<label for="staffId">/)
    for (const staffId of [STAFF_ID, 'ｗ－２００１', ' w-2001 ']) {
      const response = await post(portal, visitor, { reference: handoutReference, address: '', staffId })
      expect(response.status, staffId).toBe(200)
      expect(await response.text(), staffId).toContain(SENT)
    }
    const other = await post(portal, visitor, { reference: handoutReference, address: '', staffId: 'W-2002' })
    expect(other.status).toBe(200)
    expect(await other.text()).toContain(NOT_SENT)
    // A staff ID proves nothing about an e-mail's reference.
    const mismatch = await post(portal, visitor, {
      reference: emailReference,
      address: '',
      staffId: STAFF_ID,
    })
    expect(await mismatch.text()).toContain(NOT_SENT)
    const tooLong = await post(portal, visitor, { reference: handoutReference, staffId: 'W'.repeat(65) })
    expect(tooLong.status).toBe(422)
  })

  it('shows "sent" and "not sent" unlike each other: colour, icon and words; the typo first', async () => {
    const sent = await (await post(portal, visitor, { reference: emailReference, address: RECIPIENT })).text()
    const notSent = await (
      await post(portal, visitor, { reference: emailReference, address: 'someone@example.jp' })
    ).text()
    expect(sent).toMatch(/class="[^"]*message-check__answer--sent[^"]*"/)
    expect(notSent).toMatch(/class="[^"]*message-check__answer--not-sent[^"]*"/)
    expect(sent).toMatch(
      /<svg[^>]*class="message-check__icon message-check__icon--sent"[^>]*aria-hidden="true"/,
    )
    expect(notSent).toMatch(
      /<svg[^>]*class="message-check__icon message-check__icon--not-sent"[^>]*aria-hidden="true"/,
    )
    // Checking what was typed comes before what to do with the message.
    const typo = notSent.indexOf('入力を誤った')
    expect(typo).toBeGreaterThan(-1)
    expect(typo).toBeLessThan(notSent.indexOf('リンクはクリックしないでください'))
  })

  it('answers an unknown reference with the very page of a known one with the wrong address', async () => {
    const address = 'someone@example.jp'
    const unknown = newMessageReference().printed
    const known = await post(portal, visitor, { reference: emailReference, address })
    const stranger = await post(portal, visitor, { reference: unknown, address })
    expect(stranger.status).toBe(known.status)
    const knownPage = withoutTokensAndInput(await known.text(), visitor, [emailReference, address])
    const strangerPage = withoutTokensAndInput(await stranger.text(), visitor, [unknown, address])
    expect(knownPage).toContain(NOT_SENT)
    expect(strangerPage).toBe(knownPage)
  })

  it('asks to check a mistyped reference (422) without looking it up', async () => {
    const replacement = emailReference[2] === '7' ? '8' : '7'
    const typo = `${emailReference.slice(0, 2)}${replacement}${emailReference.slice(3)}`
    const response = await post(portal, visitor, { reference: typo, address: RECIPIENT })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('参照番号をもう一度お確かめください')
    expect(html).not.toContain(SENT)
    expect(html).not.toContain(NOT_SENT)
  })

  it('asks for an address it can read (422)', async () => {
    for (const address of ['', 'not an address', '150-001']) {
      // Neither an address nor a staff ID: nothing to check with.
      const response = await post(portal, visitor, { reference: emailReference, address })
      expect(response.status).toBe(422)
      expect(await response.text()).not.toContain(NOT_SENT)
    }
  })

  it('refuses a POST without the form token', async () => {
    const response = await post(portal, visitor, { reference: emailReference, address: RECIPIENT }, false)
    expect(response.status).toBe(403)
  })

  it('refuses a POST from another origin', async () => {
    const response = await fetch(`${portal.url}/message-check`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', Cookie: visitor.cookie },
      body: new URLSearchParams({ csrf: visitor.csrf, reference: emailReference, address: RECIPIENT }),
      redirect: 'manual',
    })
    expect(response.status).toBe(403)
  })
})

describe('/message-check under the failure limit', () => {
  let portal: PortalServer
  let emailReference: string
  let visitor: Visitor

  beforeAll(async () => {
    ;({ portal, emailReference } = await notifiedPortal({ IP_FAILURE_LIMIT: '2' }))
    visitor = await visit(portal)
  }, 120_000)

  afterAll(async () => {
    await portal?.stop()
  })

  it('counts "we did not send this" against the client, then answers 429 with Retry-After', async () => {
    const right = { reference: emailReference, address: RECIPIENT }
    const wrong = { reference: newMessageReference().printed, address: RECIPIENT }
    // A confirmed message and a typo are no failures.
    expect((await post(portal, visitor, right)).status).toBe(200)
    expect((await post(portal, visitor, { ...right, reference: 'R-00000-00001' })).status).toBe(422)
    for (let i = 0; i < 2; i++) {
      const response = await post(portal, visitor, wrong)
      expect(response.status).toBe(200)
      expect(await response.text()).toContain(NOT_SENT)
    }
    const limited = await post(portal, visitor, right)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const html = await limited.text()
    expect(html).toContain('試行回数が上限に達しました')
    expect(html).not.toContain(SENT)
  })
})
