import { spawnSync } from 'node:child_process'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendAuditEntry } from '~db/audit-log'
import { closeDatabase, openDatabase } from '~db/client'
import { normaliseEmail } from '~db/normalise'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { commandEnv, importExport, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { findNeedles } from '../support/generated-export'
import { runPortalCommand } from '../support/notified-population'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/**
 * `npm run backup` and `npm run restore` as real processes, against a real
 * portal serving a real SQLite file: a backup taken while visitors write, then
 * restored elsewhere, holds every write the portal had acknowledged before the
 * backup began; restore refuses a served or open database and any file that
 * is not a whole database; what a backup writes is private and as sealed as
 * the database itself.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

/** One imported member, with values long enough to be searched for in the files' bytes. */
const PERSON = {
  member_id: 'M7700123',
  family_name: '桜井戸',
  given_name: '美智代子',
  email: 'sakura.backup-test@example.jp',
  phone: '090-8765-4321',
  address_line1: '五丁目12-34',
}

const AUDIT_ENTRIES = 3

let portal: PortalServer
let work: string
let backupFile: string
/** Addresses whose check the portal had answered before the backup command was started. */
let acknowledgedBefore: string[] = []
/** Answers that came while the backup command ran: the backup was taken under load. */
let acknowledgedDuring = 0
let backupOutput = ''

const command = (script: string, databasePath: string, args: string[]) =>
  runPortalCommand(script, { cwd: work, env: commandEnv(databasePath, secrets), args })

const emailIndex = (address: string) => crypto.index('email', normaliseEmail(address) as string)

/** Visitors asking for e-mail codes, each for a new address, until stopped. */
function startLoad(base: string, visitors: number) {
  let stopped = false
  let next = 0
  const acknowledged: { address: string; at: number }[] = []
  const loops = Array.from({ length: visitors }, async () => {
    const visitor = new Visitor(base)
    while (!stopped) {
      const address = `load-${next++}@example.jp`
      const page = await visitor.submit('/check/email', { email: address })
      if (page.status !== 303) throw new Error(`e-mail check answered ${page.status}`)
      acknowledged.push({ address, at: performance.now() })
    }
  })
  return {
    acknowledged,
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'backup-restore-'))
  backupFile = join(work, 'backups', 'portal-backup.db')
  portal = await startPortal({ env: { ...secrets, IP_CHECK_LIMIT: '100000' } })
  await importExport(portal.databasePath, secrets, { 'members.csv': [MEMBER_COLUMNS, member(PERSON)] })
  // Audit entries and a signed checkpoint over them, for the restored database to verify against.
  const db = openDatabase(portal.databasePath)
  for (let i = 0; i < AUDIT_ENTRIES; i++)
    await appendAuditEntry(sqlitePortalDatabase(db), {
      actor: { kind: 'staff', id: 'S0000000001' },
      action: 'staff.sign_in',
      outcome: 'success',
      detail: { factor: 'totp' },
    })
  closeDatabase(db)
  const checkpoint = await command('app/cli/audit.ts', portal.databasePath, ['checkpoint'])
  expect(checkpoint.status, checkpoint.stderr).toBe(0)

  const load = startLoad(portal.url, 3)
  try {
    while (load.acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 20))
    acknowledgedBefore = load.acknowledged.map((ack) => ack.address)
    const started = performance.now()
    const backup = await command('app/cli/backup.ts', portal.databasePath, [backupFile])
    const ended = performance.now()
    expect(backup.status, backup.stderr).toBe(0)
    backupOutput = backup.stdout
    acknowledgedDuring = load.acknowledged.filter((ack) => ack.at > started && ack.at < ended).length
  } finally {
    await load.stop()
  }
})

afterAll(async () => {
  await portal?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function freshFolder(name: string) {
  return mkdtempSync(join(work, `${name}-`))
}

describe('a backup taken while the portal serves', () => {
  it('was taken under load and says what it copied, without personal data', () => {
    expect(acknowledgedDuring).toBeGreaterThan(0)
    expect(backupOutput).toMatch(
      /^Backup written to .*portal-backup\.db: \d+ tables, [\d,]+ rows, schema at migration \d+, [\d.]+ MB, in [\d.]+ s; integrity checked\.\nAudit checkpoints \(\d+\) copied to .*portal-backup\.db\.audit-checkpoints\.jsonl: keep them with the backup\.\n$/,
    )
    expect(backupOutput).not.toContain('@example.jp')
  })

  it('restores into a fresh place with every acknowledged write, the import and an audit log that verifies', async () => {
    const databasePath = join(freshFolder('restored'), 'portal.db')
    const restored = await command('app/cli/restore.ts', databasePath, [backupFile])
    expect(restored.status, restored.stderr).toBe(0)
    expect(restored.stdout).toContain('There was no database there before.')
    expect(restored.stdout).toContain(
      `Audit checkpoints restored to ${databasePath}.audit-checkpoints.jsonl.`,
    )
    expect(statSync(databasePath).mode & 0o777).toBe(0o600)

    const db = new Database(databasePath, { readonly: true, fileMustExist: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const stored = new Set(
        (
          db
            .prepare("select target_index from verification_challenges where type = 'email-code'")
            .pluck()
            .all() as Buffer[]
        ).map((index) => index.toString('hex')),
      )
      expect(acknowledgedBefore.length).toBeGreaterThanOrEqual(30)
      const missing = acknowledgedBefore.filter((address) => !stored.has(emailIndex(address).toString('hex')))
      expect(missing).toEqual([])
      expect(db.prepare('select count(*) from member_accounts').pluck().get()).toBe(1)
    } finally {
      db.close()
    }

    const verified = await command('app/cli/audit.ts', databasePath, ['verify', '--json'])
    expect(verified.status, verified.stderr).toBe(0)
    const report = JSON.parse(verified.stdout)
    expect(report).toMatchObject({ ok: true, problems: [] })
    expect(report.entries).toBeGreaterThanOrEqual(AUDIT_ENTRIES)
    expect(report.checkpoints).toBeGreaterThanOrEqual(1)
  })

  it('is private (0600, beside its checkpoints) and holds no personal value in plaintext', () => {
    const files = [backupFile, `${backupFile}.audit-checkpoints.jsonl`]
    expect(readdirSync(join(work, 'backups')).sort()).toEqual(
      ['portal-backup.db', 'portal-backup.db.audit-checkpoints.jsonl'].sort(),
    )
    for (const file of files) expect(statSync(file).mode & 0o777, file).toBe(0o600)
    const haystacks = files.map((file) => ({ file, bytes: readFileSync(file) }))
    const personal = [
      PERSON.email,
      PERSON.family_name,
      PERSON.given_name,
      `${PERSON.family_name} ${PERSON.given_name}`,
      PERSON.phone,
      PERSON.phone.replaceAll('-', ''),
      PERSON.address_line1,
      ...acknowledgedBefore,
    ].map((value) => ({ bytes: Buffer.from(value, 'utf8'), label: value }))
    expect(findNeedles(haystacks, personal).map((hit) => `${hit.label} in ${hit.file}`)).toEqual([])
    // Not vacuous: the same search finds what must be there, the member's blind index among it.
    const present = [
      { bytes: Buffer.from('verification_challenges', 'utf8'), label: 'table name' },
      { bytes: emailIndex(PERSON.email), label: 'the member e-mail index' },
    ]
    expect(new Set(findNeedles(haystacks, present).map((hit) => hit.label))).toEqual(
      new Set(['table name', 'the member e-mail index']),
    )
  })

  it('does not replace an existing backup unless told to', async () => {
    const before = readFileSync(backupFile)
    const again = await command('app/cli/backup.ts', portal.databasePath, [backupFile])
    expect(again.status).toBe(1)
    expect(again.stderr.trim()).toBe(
      `Backup failed: ${backupFile} exists: choose another name, or pass --force to replace it.`,
    )
    expect(readFileSync(backupFile).equals(before)).toBe(true)
    const forced = await command('app/cli/backup.ts', portal.databasePath, ['--force', '--json', backupFile])
    expect(forced.status, forced.stderr).toBe(0)
    expect(JSON.parse(forced.stdout)).toMatchObject({ file: backupFile, integrity: 'ok' })
    expect(statSync(backupFile).mode & 0o777).toBe(0o600)
    // Not even with --force over the database it copies.
    const inode = statSync(portal.databasePath).ino
    const over = await command('app/cli/backup.ts', portal.databasePath, ['--force', portal.databasePath])
    expect(over.status).toBe(1)
    expect(over.stderr.trim()).toBe(
      `Backup failed: ${portal.databasePath} is the database or its checkpoint file: write the backup elsewhere.`,
    )
    expect(statSync(portal.databasePath).ino).toBe(inode)
  })
})

describe('restore refuses', () => {
  it('while the portal serves the database, which stays as it was', async () => {
    const inode = statSync(portal.databasePath).ino
    const refused = await command('app/cli/restore.ts', portal.databasePath, [backupFile])
    expect(refused.status).toBe(1)
    expect(refused.stderr.trim()).toBe(
      `Restore refused: ${portal.databasePath} is in use: a portal (process ${portal.pid}) is serving it. Stop it first.`,
    )
    expect(statSync(portal.databasePath).ino).toBe(inode)
    expect(readdirSync(portal.dataDirectory).filter((name) => name.includes('before-restore'))).toEqual([])
  })

  it('while another process has the database open, marker or not; then, closed, replaces it and keeps the old one', async () => {
    const databasePath = join(freshFolder('open'), 'portal.db')
    copyFileSync(backupFile, databasePath)
    // A marker left by a portal that died without exiting: its process is gone, so it is stale.
    const dead = spawnSync(process.execPath, ['-e', '']).pid
    writeFileSync(`${databasePath}.serving`, JSON.stringify({ pid: dead }))
    const holder = openDatabase(databasePath)
    holder.$client.prepare('insert into portal_meta (key, value) values (?, ?)').run('before', 'restore')
    try {
      const refused = await command('app/cli/restore.ts', databasePath, [backupFile])
      expect(refused.status).toBe(1)
      expect(refused.stderr.trim()).toBe(
        `Restore refused: ${databasePath} is in use: another process (a portal or a command) has it open. Stop it first.`,
      )
    } finally {
      closeDatabase(holder)
    }
    const restored = await command('app/cli/restore.ts', databasePath, [backupFile])
    expect(restored.status, restored.stderr).toBe(0)
    const previous = restored.stdout.match(
      /is kept as (\S+\.before-restore-[\dTZ-]+): to undo/,
    )?.[1] as string
    expect(existsSync(previous)).toBe(true)
    expect(statSync(previous).mode & 0o777).toBe(0o600)
    const value = (path: string) => {
      const db = new Database(path, { readonly: true, fileMustExist: true })
      try {
        return db.prepare("select value from portal_meta where key = 'before'").pluck().get()
      } finally {
        db.close()
      }
    }
    // The old database, with its last write, is kept whole; the restored one is the backup's.
    expect(value(previous)).toBe('restore')
    expect(value(databasePath)).toBeUndefined()
    expect(existsSync(`${databasePath}-wal`)).toBe(false)
  })

  it('a damaged, truncated, foreign or missing file, leaving the database untouched', async () => {
    const folder = freshFolder('bad')
    const databasePath = join(folder, 'portal.db')
    copyFileSync(backupFile, databasePath)
    const original = readFileSync(databasePath)

    const flipped = join(folder, 'flipped.db')
    copyFileSync(backupFile, flipped)
    const size = statSync(flipped).size
    const descriptor = openSync(flipped, 'r+')
    // Garbage over pages in the middle of the file: tables' and indexes' pages, not the header.
    writeSync(descriptor, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096)
    closeSync(descriptor)
    const truncated = join(folder, 'truncated.db')
    writeFileSync(truncated, readFileSync(backupFile).subarray(0, Math.floor(size / 3)))
    const foreign = join(folder, 'notes.txt')
    writeFileSync(foreign, 'not a database at all\n'.repeat(100))

    const cases: [string, RegExp][] = [
      [
        flipped,
        /^Restore refused: .*flipped\.db (failed SQLite's integrity check|is damaged: SQLite's integrity check failed)/,
      ],
      [
        truncated,
        /^Restore refused: .*truncated\.db (failed SQLite's integrity check|is damaged: SQLite's integrity check failed)/,
      ],
      [foreign, /^Restore refused: .*notes\.txt is not a SQLite database\.$/],
      [join(folder, 'missing.db'), /^Restore refused: No backup at .*missing\.db\.$/],
    ]
    for (const [file, message] of cases) {
      const refused = await command('app/cli/restore.ts', databasePath, [file])
      expect(refused.status, file).toBe(1)
      expect(refused.stderr.trim(), file).toMatch(message)
      expect(refused.stderr, file).not.toMatch(/\n\s+at /)
    }
    expect(readFileSync(databasePath).equals(original)).toBe(true)
    expect(readdirSync(folder).sort()).toEqual(
      ['flipped.db', 'notes.txt', 'portal.db', 'truncated.db'].sort(),
    )
  })
})
