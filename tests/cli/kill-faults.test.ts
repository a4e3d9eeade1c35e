import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { type CommandResult, runPortalCommand, startPortalCommand } from '../support/notified-population'
import { testSecrets } from '../support/secrets'
import { startSmtpSink } from '../support/smtp-sink'

/**
 * `npm run import`, `npm run notify` and `npm run send` killed with SIGKILL
 * while they are part way through (some rows written, not all), then run
 * again: the file stays sound, what was written is whole, the audit chain
 * verifies, and the second run ends where one uninterrupted run would.
 */

const MEMBERS = 6_000
const secrets = testSecrets()
const cleanups: (() => void)[] = []
afterAll(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

let exportDir: string

beforeAll(() => {
  exportDir = mkdtempSync(join(tmpdir(), 'portal-kill-export-'))
  cleanups.push(() => rmSync(exportDir, { recursive: true, force: true }))
  const rows = Array.from({ length: MEMBERS }, (_, i) =>
    member({ member_id: `M${String(i).padStart(6, '0')}`, email: `person${i}@example.jp` }),
  )
  writeCsv(join(exportDir, 'members.csv'), [MEMBER_COLUMNS, ...rows])
})

function freshDatabase() {
  const directory = mkdtempSync(join(tmpdir(), 'portal-kill-'))
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? directory,
    NODE_ENV: 'test',
    DATABASE_URL: join(directory, 'portal.db'),
    PUBLIC_URL: 'https://portal.example',
    MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
    ...secrets,
  }
  return { directory, env, path: env.DATABASE_URL as string }
}

type Place = ReturnType<typeof freshDatabase>

function succeeded(result: CommandResult) {
  expect(result.signal, result.stderr).toBeNull()
  expect(result.status, result.stderr).toBe(0)
  return result
}

const run = (place: Place, script: string, args: string[], extra: Record<string, string> = {}) =>
  runPortalCommand(script, { cwd: place.directory, env: { ...place.env, ...extra }, args }).then(succeeded)

/** One read-only look at the file; a file not made yet (or mid-migration) counts as nothing. */
function peek(path: string, sql: string): number {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 50 })
    return Number(db.prepare(sql).pluck().get() ?? 0)
  } catch {
    return 0
  } finally {
    db?.close()
  }
}

/**
 * Starts a command and SIGKILLs it as soon as `progress` (read from the
 * database) is above zero and below `total`. A command quicker than the
 * polling finishes whole; the caller checks both ends the same way.
 */
async function killMidway(
  place: Place,
  script: string,
  args: string[],
  progress: string,
  total: number,
  extra: Record<string, string> = {},
) {
  const started = startPortalCommand(script, {
    cwd: place.directory,
    env: { ...place.env, ...extra },
    args,
  })
  let seen = 0
  let exited = false
  void started.result.finally(() => {
    exited = true
  })
  while (!exited) {
    seen = peek(place.path, progress)
    if (seen > 0 && seen < total) {
      started.child.kill('SIGKILL')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const result = await started.result
  return { result, seenWhenKilled: seen }
}

/** Integrity and the number of outbox rows marked sent. */
function outboxState(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      sent: Number(db.prepare("select count(*) from outbox_messages where state = 'sent'").pluck().get()),
    }
  } finally {
    db.close()
  }
}

function wholeImport(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    const one = (sql: string) => Number(db.prepare(sql).pluck().get())
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      subjects: one('select count(*) from subjects'),
      accounts: one('select count(*) from member_accounts'),
      // Every subject belongs to a person, and every member has the account the import makes for it.
      orphanSubjects: one(
        'select count(*) from subjects s where not exists (select 1 from subjects h where h.id = s.human_id)',
      ),
      membersWithoutAccount: one(
        'select count(*) from subjects s where not exists (select 1 from member_accounts a where a.subject_id = s.id)',
      ),
    }
  } finally {
    db.close()
  }
}

function wholeNotify(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    const one = (sql: string) => Number(db.prepare(sql).pluck().get())
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      notifications: one('select count(*) from notifications'),
      notifiedHumans: one('select count(distinct human_id) from notifications'),
      // An e-mail notice is its message and its outbox row, or nothing at all.
      emailWithoutOutbox: one(
        "select count(*) from notifications n where n.channel = 'email' and not exists (select 1 from outbox_messages o where o.message_id = n.message_id)",
      ),
      notificationWithoutMessage: one(
        'select count(*) from notifications n where not exists (select 1 from messages m where m.id = n.message_id)',
      ),
      outbox: one('select count(*) from outbox_messages'),
    }
  } finally {
    db.close()
  }
}

async function auditVerifies(place: Place) {
  const result = await runPortalCommand('app/cli/audit.ts', {
    cwd: place.directory,
    env: place.env,
    args: ['verify', '--json'],
  })
  expect(result.status, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ ok: true })
}

describe('SIGKILL mid-way, then run again', () => {
  it('import: what is written is whole, and the second run ends as one uninterrupted run', async () => {
    const reference = freshDatabase()
    await run(reference, 'app/cli/import.ts', ['--json', exportDir])
    const expected = wholeImport(reference.path)
    expect(expected.subjects).toBe(MEMBERS)

    const place = freshDatabase()
    const killed = await killMidway(
      place,
      'app/cli/import.ts',
      ['--json', exportDir],
      'select count(*) from subjects',
      MEMBERS,
    )
    const after = wholeImport(place.path)
    expect(after.integrity).toBe('ok')
    expect(after.orphanSubjects).toBe(0)
    expect(after.membersWithoutAccount).toBe(0)
    if (killed.result.signal === 'SIGKILL') expect(after.subjects).toBeLessThanOrEqual(MEMBERS)
    else expect(after).toEqual(expected)
    await auditVerifies(place)

    await run(place, 'app/cli/import.ts', ['--json', exportDir])
    expect(wholeImport(place.path)).toEqual(expected)
    await auditVerifies(place)
  })

  it('notify: each notice is whole, and the second run tells each person once', async () => {
    const place = freshDatabase()
    await run(place, 'app/cli/import.ts', ['--json', exportDir])

    const killed = await killMidway(
      place,
      'app/cli/notify.ts',
      ['--json'],
      'select count(*) from notifications',
      MEMBERS,
    )
    const after = wholeNotify(place.path)
    expect(after.integrity).toBe('ok')
    expect(after.emailWithoutOutbox).toBe(0)
    expect(after.notificationWithoutMessage).toBe(0)
    expect(after.notifiedHumans).toBe(after.notifications)
    if (killed.result.signal !== 'SIGKILL') expect(after.notifications).toBe(MEMBERS)
    await auditVerifies(place)

    await run(place, 'app/cli/notify.ts', ['--json'])
    const again = wholeNotify(place.path)
    expect(again).toEqual({
      integrity: 'ok',
      notifications: MEMBERS,
      notifiedHumans: MEMBERS,
      emailWithoutOutbox: 0,
      notificationWithoutMessage: 0,
      outbox: MEMBERS,
    })
    await auditVerifies(place)
  })

  it('send: the second run delivers what the first did not, each address once', async () => {
    const place = freshDatabase()
    const count = 40
    const small = mkdtempSync(join(tmpdir(), 'portal-kill-send-'))
    cleanups.push(() => rmSync(small, { recursive: true, force: true }))
    writeCsv(join(small, 'members.csv'), [
      MEMBER_COLUMNS,
      ...Array.from({ length: count }, (_, i) =>
        member({ member_id: `S${String(i).padStart(4, '0')}`, email: `sent${i}@example.jp` }),
      ),
    ])
    await run(place, 'app/cli/import.ts', ['--json', small])
    await run(place, 'app/cli/notify.ts', ['--json'])

    // Every answer is held a moment, so the kill lands with a message in the middle of its conversation.
    const smtp = await startSmtpSink({ decide: () => ({ accept: true, delayMs: 40 }) })
    cleanups.push(() => void smtp.close())
    const mail = { SMTP_URL: smtp.url, SMTP_RATE: '1000', SMTP_RETRY_MS: '100' }
    const killed = await killMidway(
      place,
      'app/cli/send.ts',
      ['--once', '--json', '--lease-seconds', '1'],
      "select count(*) from outbox_messages where state = 'sent'",
      count,
      mail,
    )
    const afterKill = outboxState(place.path)
    expect(afterKill.integrity).toBe('ok')
    const sentRows = afterKill.sent
    // Marked sent is exactly what the server took (a message taken but not yet marked may be resent).
    expect(sentRows).toBeLessThanOrEqual(smtp.received.length)
    if (killed.result.signal !== 'SIGKILL') expect(sentRows).toBe(count)

    await new Promise((resolve) => setTimeout(resolve, 1_100)) // the killed sender's lease runs out
    // Taken by the server but never written down (SMTP's one open window): at most one per pooled connection.
    const takenNotMarked = smtp.received.length - sentRows
    expect(takenNotMarked).toBeLessThanOrEqual(5)
    await run(place, 'app/cli/send.ts', ['--once', '--json', '--lease-seconds', '1'], mail)
    expect(outboxState(place.path)).toEqual({ integrity: 'ok', sent: count })
    const addresses = smtp.received.flatMap((received) => received.to)
    expect(new Set(addresses).size).toBe(count)
    // Only those go out a second time; nothing marked sent is sent again.
    expect(addresses.length - count).toBe(takenNotMarked)
    await auditVerifies(place)
  })
})
