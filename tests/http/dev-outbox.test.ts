import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importAsDemoData } from '../support/demo-import'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalCommand } from '../support/portal-command'
import { type PortalServer, startPortal } from '../support/portal-server'
import { PRODUCTION_MAIL, testSecrets } from '../support/secrets'

const LETTER_CODE = /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]/
const RECIPIENT = 'hanako.mihon@example.jp'

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

describe('/dev/outbox outside production', () => {
  const secrets = testSecrets()
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({ env: secrets })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('shows the empty outbox with what to run, uncached and unreferred', async () => {
    const response = await fetch(`${portal.url}/dev/outbox`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    // The page's own policy replaces the site-wide one.
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await response.text()
    expect(html).toContain('<html lang="ja"')
    expect(html).toContain('開発用メール送信箱')
    expect(html).toContain('送信箱は空です。<code>npm run notify</code>')
    expect(html).not.toContain('<article')
  })

  it('lists the notice e-mail with its recipient and letter code once notify has run', async () => {
    // As demo data: an imported export would turn the outbox off (safe-by-default.test.ts).
    const directory = await importAsDemoData(portal.databasePath, secrets, {
      'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: RECIPIENT })],
    })
    const env = { DATABASE_URL: portal.databasePath, ...secrets }
    const notified = await runCommand('app/cli/notify.ts', ['--json'], env, directory)
    expect(JSON.parse(notified.stdout)).toMatchObject({ email: 1 })

    const response = await fetch(`${portal.url}/dev/outbox`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html.match(/<article\b/g)).toHaveLength(1)
    expect(html).toContain(RECIPIENT)
    expect(html).toMatch(LETTER_CODE)
    expect(html).toMatch(/<dt>未送信<\/dt><dd>1<\/dd>/)
    expect(html).toMatch(/<pre class="dev-outbox__body">[^<]*見本[^<]*<\/pre>/)
    expect(html).not.toContain('送信箱は空です')
  }, 120_000)

  it('shows English chrome with ?lng=en', async () => {
    const response = await fetch(`${portal.url}/dev/outbox?lng=en`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<html lang="en"')
    expect(html).toContain('<title>Development outbox | ')
    expect(html).toContain('This page exists only in development')
    expect(html).toMatch(/<dt>Pending<\/dt><dd>1<\/dd>/)
    expect(html).toContain('Body (plain text)')
    expect(html).toContain(RECIPIENT)
    expect(html).not.toContain('開発用メール送信箱')
  })
})

describe('/dev/outbox in production', () => {
  let portal: PortalServer

  beforeAll(async () => {
    portal = await startPortal({
      env: { NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example', ...PRODUCTION_MAIL },
    })
  })

  afterAll(async () => {
    await portal?.stop()
  })

  it('answers 404', async () => {
    const response = await fetch(`${portal.url}/dev/outbox`)
    expect(response.status).toBe(404)
    const html = await response.text()
    expect(html).not.toContain('npm run notify')
  })
})
