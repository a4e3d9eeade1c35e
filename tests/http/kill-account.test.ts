import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailCodeTo, importExport, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { runPortalCommand } from '../support/notified-population'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The web server killed with SIGKILL while a member's new password is being
 * saved (the hashing takes a helper process a moment: a wide window), at
 * several moments, then started again on the same file: the member has the
 * new password with the reset cleared, or neither, and can simply save it
 * again.
 */

const secrets = testSecrets()
const NEW_PASSWORD = 'quiet lanterns drift over paper harbours'
const DELAYS_MS = [0, 60, 200]
const ADDRESSES = DELAYS_MS.map((_, i) => `kill.password${i}@example.jp`)
let directory: string
let databasePath: string
let sink: SmtpSink
let portal: PortalServer | undefined

const start = async () => {
  portal = await startPortal({
    env: {
      ...secrets,
      SMTP_URL: sink.url,
      SMTP_RATE: '1000',
      DATABASE_URL: databasePath,
      IP_CHECK_LIMIT: '3000',
      IP_FAILURE_LIMIT: '1000',
    },
  })
  return portal
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-kill-account-'))
  databasePath = join(directory, 'portal.db')
  sink = await startSmtpSink()
  const server = await start()
  await importExport(databasePath, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...ADDRESSES.map((email, i) => member({ member_id: `K${i + 1}`, email })),
    ],
  })
  await server.stop()
  portal = undefined
}, 60_000)

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

async function verifiedVisitor(server: PortalServer, address: string) {
  const visitor = new Visitor(server.url)
  const from = sink.received.length
  expect((await visitor.submit('/check/email', { email: address })).status).toBe(303)
  const code = await emailCodeTo(sink, address, from)
  const verified = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })
  expect(verified.location).toBe('/exposure')
  await visitor.get('/account/password')
  return visitor
}

/** Each member's password state: changed (hash and time) and whether the reset is still asked for. */
function passwordStates() {
  const db = new Database(databasePath, { readonly: true })
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      accounts: db
        .prepare(`
          select a.password_changed_at is not null as changed,
            exists (select 1 from member_required_actions r
                    where r.subject_id = a.subject_id and r.action = 'reset_password') as resetAsked
          from member_accounts a order by a.subject_id`)
        .all() as { changed: number; resetAsked: number }[],
    }
  } finally {
    db.close()
  }
}

async function auditVerifies() {
  const result = await runPortalCommand('app/cli/audit.ts', {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databasePath, ...secrets },
    args: ['verify', '--json'],
  })
  expect(result.status, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ ok: true })
}

describe('SIGKILL while a new password is saved', () => {
  it('leaves the new password with the reset cleared, or neither; saving again then works', async () => {
    expect(passwordStates().accounts.every((a) => !a.changed && a.resetAsked)).toBe(true)
    const outcomes: string[] = []
    for (const [i, delayMs] of DELAYS_MS.entries()) {
      const server = await start()
      const visitor = await verifiedVisitor(server, ADDRESSES[i] as string)
      const answered = visitor
        .post('/account/password', { csrf: visitor.csrf ?? '', password: NEW_PASSWORD, intent: 'save' })
        .then(
          () => 'answered',
          () => 'cut off',
        )
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      process.kill(server.pid, 'SIGKILL')
      outcomes.push(await answered)
      await server.stop()
      portal = undefined

      const { integrity, accounts } = passwordStates()
      expect(integrity).toBe('ok')
      // Whole or not at all: a changed password never leaves the reset asked for, nor the reverse.
      for (const account of accounts) expect(account.changed).toBe(account.resetAsked ? 0 : 1)
    }
    // At least the kill at once lands before the answer: the save was cut off mid-way.
    expect(outcomes).toContain('cut off')
    await auditVerifies()

    // Whatever the kills left, each member can save the password now.
    const server = await start()
    for (const address of ADDRESSES) {
      const visitor = await verifiedVisitor(server, address)
      const saved = await visitor.post('/account/password', {
        csrf: visitor.csrf ?? '',
        password: NEW_PASSWORD,
        intent: 'save',
      })
      // Saved now, or already saved before the kill (the member is then led on, not back here).
      expect([303, 200]).toContain(saved.status)
    }
    await server.stop()
    portal = undefined
    expect(passwordStates().accounts.every((a) => a.changed && !a.resetAsked)).toBe(true)
    await auditVerifies()
  }, 180_000)
})
