import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { mailTo, Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'
import { formWith, png } from '../support/return-photos'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The portal with its data folder on a small tmpfs that the test fills up:
 * writes are refused with a page that says what happened and what to do, the
 * operator gets one line, nothing committed before is lost, and once space is
 * freed the same process saves again.
 *
 * The tmpfs is mounted in a mount namespace of the portal's own (as root, or
 * as anyone through a user namespace), so it goes away with the process even
 * if the test dies; the test reaches it through /proc/<pid>/root.
 */

const locale = (language: 'ja' | 'en') =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/common.json`, import.meta.url), 'utf8'))
const FULL = { ja: locale('ja').errors.storageFull, en: locale('en').errors.storageFull }

const secrets = testSecrets()
const BEFORE = 'before.full@example.jp'
const DURING = 'during.full@example.jp'
const AFTER = 'after.full@example.jp'
const asRoot = process.getuid?.() === 0
let base: string
let mountPoint: string
let sink: SmtpSink
let portal: PortalServer
const fillers: string[] = []

/** A path inside the portal's mount namespace, as this process can reach it. */
const seen = (path: string) => `/proc/${portal.pid}/root${path}`

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'portal-full-disk-'))
  mountPoint = join(base, 'data')
  mkdirSync(mountPoint)
  sink = await startSmtpSink()
  portal = await startPortal({
    env: {
      ...secrets,
      SMTP_URL: sink.url,
      SMTP_RATE: '1000',
      DATABASE_URL: join(mountPoint, 'portal.db'),
    },
    prefix: [
      'unshare',
      ...(asRoot ? [] : ['--user', '--map-root-user']),
      '--mount',
      'sh',
      '-c',
      'mount -t tmpfs -o size=32m,mode=0700 tmpfs "$0" && exec "$@"',
      mountPoint,
    ],
  })
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
  // The mount ended with the portal's namespace; what is left here is an empty folder.
  if (base) rmSync(base, { recursive: true, force: true })
})

/**
 * Runs SQL on the portal's database from inside its mount namespace (SQLite
 * resolves /proc/<pid>/root to "/" and would look in this namespace), and
 * returns each statement's result.
 */
function database(statements: string[]): unknown[] {
  const script = `
    const Database = require(process.argv[1])
    const db = new Database(process.argv[2], { fileMustExist: true })
    const results = JSON.parse(process.argv[3]).map((sql) =>
      sql.startsWith('pragma ') ? db.pragma(sql.slice(7), { simple: true }) : db.prepare(sql).pluck().all())
    db.close()
    console.log(JSON.stringify(results))`
  const result = spawnSync(
    'nsenter',
    [
      `--target=${portal.pid}`,
      ...(asRoot ? [] : ['--user']),
      '--mount',
      process.execPath,
      '-e',
      script,
      createRequire(import.meta.url).resolve('better-sqlite3'),
      join(mountPoint, 'portal.db'),
      JSON.stringify(statements),
    ],
    { encoding: 'utf8', timeout: 20_000 },
  )
  if (result.status !== 0) throw new Error(`reading the database failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as unknown[]
}

/** Rows in every table: what the portal holds, without reading anyone's data. */
function tableCounts(): Record<string, number> {
  const [tables] = database([
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
  ]) as [string[]]
  const counts = database(tables.map((table) => `select count(*) from "${table}"`)) as number[][]
  return Object.fromEntries(tables.map((table, i) => [table, counts[i]?.[0] ?? -1]))
}

/** Writes a file until the file system has no room left. */
function fillUp() {
  const path = seen(join(mountPoint, `filler-${fillers.length}`))
  fillers.push(path)
  const fd = openSync(path, 'w')
  try {
    for (const size of [1024 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 1)
      try {
        for (;;) writeSync(fd, chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      }
    }
  } finally {
    closeSync(fd)
  }
}

/**
 * Fills the disk with the write-ahead log emptied first: otherwise SQLite
 * could go on writing into the log's space it already holds.
 */
function fillDisk() {
  database(['pragma wal_checkpoint(TRUNCATE)'])
  fillUp()
  database(['pragma wal_checkpoint(TRUNCATE)'])
  fillUp()
}

async function askForCode(visitor: Visitor, email: string) {
  const form = await visitor.get('/check/email')
  expect(form.status).toBe(200)
  return visitor.post('/check/email', { csrf: visitor.csrf ?? '', email })
}

async function fileReturn(visitor: Visitor, email: string) {
  const form = await visitor.get('/returns/new')
  expect(form.status).toBe(200)
  const fields = {
    csrf: visitor.csrf ?? '',
    reason: 'damaged',
    number: '1234-5678-9012',
    description: 'The box arrived crushed.',
    email,
  }
  return visitor.postMultipart('/returns/new', formWith(fields, [await png()]))
}

function expectStorageFullPage(
  page: { status: number; body: string; headers: Headers },
  language: 'ja' | 'en',
) {
  expect(page.status).toBe(503)
  expect(page.headers.get('retry-after')).toBe('300')
  expect(page.body).toContain(FULL[language].title)
  expect(page.body).toContain(FULL[language].body)
  expect(page.body).toContain(SUPPORT_EMAIL)
  expect(page.body).not.toMatch(/SQLITE_FULL|ENOSPC|\bat [\w.]+ \(/)
}

describe('a full disk', () => {
  it('refuses writes with a clear page and one log line, loses nothing, and recovers without a restart', async () => {
    const before = new Visitor(portal.url)
    expect((await askForCode(before, BEFORE)).status).toBe(303)
    const committed = tableCounts()
    const pid = portal.pid

    fillDisk()
    const outputBefore = portal.output().length

    // Reading still works; saving says what happened, what to do, and whom to ask.
    const ja = new Visitor(portal.url)
    expectStorageFullPage(await askForCode(ja, DURING), 'ja')
    const en = new Visitor(portal.url, { 'Accept-Language': 'en' })
    expectStorageFullPage(await askForCode(en, DURING), 'en')
    const upload = await fileReturn(new Visitor(portal.url), DURING).catch((error) => {
      throw new Error(`${error}\n${portal.output()}`)
    })
    expectStorageFullPage(upload, 'ja')

    const log = portal.output().slice(outputBefore)
    expect(log).toMatch(/\[disk full\] (SQLITE_FULL|ENOSPC): cannot write to \S+/)
    expect(log).not.toContain('[server error]')
    expect(log).not.toContain('Outbox sender stopped')
    expect(log).not.toContain(DURING)

    for (const filler of fillers) rmSync(filler)
    const afterVisitor = new Visitor(portal.url)
    const asked = await askForCode(afterVisitor, AFTER)
    expect(asked.status).toBe(303)
    expect(asked.location).toBe('/check/email/code')
    // The background sender, paused while the disk was full, sends again by itself.
    await mailTo(sink, AFTER, { timeoutMs: 20_000 })
    const filed = await fileReturn(new Visitor(portal.url), AFTER)
    expect(filed.status).toBe(303)
    expect(filed.location).toBe('/returns/confirm')
    expect(portal.pid).toBe(pid)

    expect(database(['pragma integrity_check'])).toEqual(['ok'])
    const now = tableCounts()
    for (const [table, count] of Object.entries(committed))
      expect(now[table], table).toBeGreaterThanOrEqual(count)
  })
})
