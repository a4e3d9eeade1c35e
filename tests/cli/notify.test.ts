import { spawn } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLetterCode } from '~/codes/letter-code.server'
import { readMessageReference } from '~/codes/message-reference.server'
import { createBlindIndexer } from '~db/blind-index'
import {
  BUYER_COLUMNS,
  exportDirectory,
  LEGACY_HASH,
  MEMBER_COLUMNS,
  member,
  writeCsv,
} from '../support/export-files'
import { decodeQuotedPrintable, mimeParts, splitEntity } from '../support/mail-decoding'
import { portalCommand } from '../support/portal-command'
import { testSecrets } from '../support/secrets'
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * `npm run notify` and `npm run send --once` as real processes over a small
 * hand-made export: who is told by which channel, what the printer files and
 * the e-mails say, and what stays out of the database.
 */

const secrets = testSecrets()
const index = createBlindIndexer(secrets.PORTAL_INDEX_KEY)
const PUBLIC_URL = 'https://notice.sekaimon.example/'
const PORTAL_ADDRESS = 'notice.sekaimon.example'
const MAIL_FROM_ADDRESS = 'no-reply@sekaimon.example'
const MAIL_FROM = `Sekaimon <${MAIL_FROM_ADDRESS}>`

const SYMBOL = '[0-9A-HJKMNP-TV-Z]'
const LETTER_CODE = new RegExp(`^${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}$`)
const REFERENCE = new RegExp(`^R-${SYMBOL}{5}-${SYMBOL}{5}$`)
const LETTER_CODE_IN_TEXT = new RegExp(`${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}(?![0-9A-Z])`, 'g')
const REFERENCE_IN_TEXT = new RegExp(`R-${SYMBOL}{5}-${SYMBOL}{5}(?![0-9A-Z])`, 'g')

const NEVER_ASK = {
  ja: '当社がメール、電話、SMSでパスワードやクレジットカード番号をお尋ねすることはありません。',
  en: 'We will never ask for your password or card number by e-mail, phone or text message.',
}

type Language = 'ja' | 'en'
const locale = (language: Language, namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const SUBJECT = {
  ja: locale('ja', 'email').notification.subject as string,
  en: locale('en', 'email').notification.subject as string,
}

type Category =
  | 'name'
  | 'birthDate'
  | 'gender'
  | 'email'
  | 'phone'
  | 'address'
  | 'cardLast4Expiry'
  | 'password'
  | 'buyerId'
  | 'staffId'
const CATEGORY_LABELS = {
  ja: locale('ja', 'incident').affected.categories as Record<Category, string>,
  en: locale('en', 'incident').affected.categories as Record<Category, string>,
}

// ---- the export ----

const PURCHASES = { first_purchase_at: '2020-01-15', last_purchase_at: '2025-12-01' }

/** Everyone in the export, with what the notice run should do for them. */
const EMAIL_PEOPLE = [
  {
    memberId: 'M1',
    to: 'ichiro.sato@example.jp',
    familyName: '佐藤',
    givenName: '一郎',
    language: 'ja' as Language,
    // Linked with buyer B1 by phone, and a card on file: both pooled into this one notice.
    categories: [
      'name',
      'birthDate',
      'gender',
      'email',
      'phone',
      'address',
      'cardLast4Expiry',
      'password',
      'buyerId',
    ] as Category[],
    values: ['09011112222', '090-1111-2222', '1980-05-06', '1-2-3', '4821', '12/27'],
  },
  {
    memberId: 'M2',
    to: 'hanako.suzuki@example.jp',
    familyName: '鈴木',
    givenName: '花子',
    language: 'ja' as Language,
    categories: ['name', 'birthDate', 'gender', 'email', 'address', 'password'] as Category[],
    values: ['1980-05-06', '1-2-3'],
  },
  {
    memberId: 'M3',
    to: 'anna.smith@example.com',
    familyName: 'Smith',
    givenName: 'Anna',
    // The export has no language column: the test sets this member's language in the database.
    language: 'en' as Language,
    categories: ['name', 'email', 'address', 'password'] as Category[],
    values: ['1-2-3'],
  },
  {
    memberId: 'M4',
    to: 'jiro.takahashi@example.jp',
    familyName: '高橋',
    givenName: '次郎',
    language: 'ja' as Language,
    categories: ['name', 'birthDate', 'gender', 'email', 'address'] as Category[],
    values: ['1980-05-06', '1-2-3'],
  },
  {
    employeeId: 'E-001',
    to: 'nanako.nakamura@corp.example.jp',
    familyName: '中村',
    givenName: '七子',
    language: 'ja' as Language,
    categories: ['name', 'email', 'phone', 'password'] as Category[],
    values: ['0312345678', '03-1234-5678'],
  },
]

const POSTCARDS = [
  {
    postal_code: '〒100-0001',
    address_line1: '東京都千代田区千代田1-1',
    address_line2: 'サンプルビル101',
    recipient: '田中 三郎 様',
  },
  {
    postal_code: '〒530-0001',
    address_line1: '大阪府大阪市北区梅田2-2-2',
    address_line2: '',
    recipient: '伊藤 四郎 様',
  },
  {
    postal_code: '〒460-0008',
    address_line1: '愛知県名古屋市中区栄4-4',
    address_line2: '栄ハイツ202',
    recipient: '山本 六郎 様',
  },
]

const HANDOUTS = [
  { id_kind: 'employee_id', id: 'E-002', recipient: '小林 八郎 様' },
  { id_kind: 'staff_id', id: 'W-101', recipient: '加藤 九 様' },
  { id_kind: 'staff_id', id: 'W-102', recipient: '吉田 様' },
]

const EXPECTED = { email: 5, postcard: 3, handout: 3, unreachable: 1, reprints: 0 }
const REACHABLE = EXPECTED.email + EXPECTED.postcard + EXPECTED.handout

function writeExport(directory: string) {
  const noAddress = { postal_code: '', prefecture: '', city: '', address_line1: '', address_line2: '' }
  writeCsv(join(directory, 'members.csv'), [
    MEMBER_COLUMNS,
    // First in the file, so the one person nobody can reach comes first in every run.
    member({ member_id: 'M7', family_name: '渡辺', given_name: '五郎', ...noAddress }),
    member({
      member_id: 'M1',
      family_name: '佐藤',
      given_name: '一郎',
      email: 'ichiro.sato@example.jp',
      phone: '090-1111-2222',
    }),
    member({ member_id: 'M2', family_name: '鈴木', given_name: '花子', email: 'hanako.suzuki@example.jp' }),
    member({
      member_id: 'M3',
      family_name: 'Smith',
      given_name: 'Anna',
      family_name_kana: 'スミス',
      given_name_kana: 'アンナ',
      email: 'anna.smith@example.com',
      birth_date: '',
      gender: '',
    }),
    member({
      member_id: 'M4',
      family_name: '高橋',
      given_name: '次郎',
      email: 'jiro.takahashi@example.jp',
      password_hash: '',
    }),
    member({
      member_id: 'M5',
      family_name: '田中',
      given_name: '三郎',
      postal_code: '〒100-0001',
      prefecture: '東京都',
      city: '千代田区',
      address_line1: '千代田1-1',
      address_line2: 'サンプルビル101',
    }),
    member({
      member_id: 'M6',
      family_name: '伊藤',
      given_name: '四郎',
      postal_code: '5300001',
      prefecture: '大阪府',
      city: '大阪市北区',
      address_line1: '梅田2-2-2',
    }),
  ])
  writeCsv(join(directory, 'member_cards.csv'), [
    ['member_id', 'card_last4', 'card_expiry'],
    ['M1', '4821', '12/27'],
  ])
  const buyer = (fields: Record<string, string>) => BUYER_COLUMNS.map((column) => fields[column] ?? '')
  writeCsv(join(directory, 'auction_buyers.csv'), [
    BUYER_COLUMNS,
    // Shares M1's phone (written differently): the same human.
    buyer({
      buyer_id: 'B1',
      family_name: '佐藤',
      given_name: '一郎',
      phone: '090 1111 2222',
      postal_code: '220-0012',
      prefecture: '神奈川県',
      city: '横浜市西区',
      address_line1: 'みなとみらい3-3',
      ...PURCHASES,
    }),
    buyer({
      buyer_id: 'B2',
      family_name: '山本',
      given_name: '六郎',
      phone: '080-3333-4444',
      postal_code: '460-0008',
      prefecture: '愛知県',
      city: '名古屋市中区',
      address_line1: '栄4-4',
      address_line2: '栄ハイツ202',
      ...PURCHASES,
    }),
  ])
  writeCsv(join(directory, 'employees.csv'), [
    ['employee_id', 'family_name', 'given_name', 'email', 'phone', 'password_hash'],
    ['E-001', '中村', '七子', 'nanako.nakamura@corp.example.jp', '03-1234-5678', LEGACY_HASH],
    ['E-002', '小林', '八郎', '', '03-9999-0000', ''],
  ])
  writeCsv(join(directory, 'warehouse_staff.csv'), [
    ['staff_id', 'family_name', 'given_name'],
    ['W-101', '加藤', '九'],
    ['W-102', '吉田', ''],
  ])
}

// ---- running the commands ----

type Result = { status: number | null; stdout: string; stderr: string }

function environment(dataDirectory: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test' as const,
    DATABASE_URL: join(dataDirectory, 'portal.db'),
    PUBLIC_URL,
    PORTAL_DEMO_DATA: 'off',
    MAIL_FROM,
    ...secrets,
    ...extra,
  }
}

/**
 * A portal command as a child process; asynchronous, so the SMTP sink in this process keeps answering.
 * With `umask`, the command starts under that file-mode mask (through the shell, which can set one).
 */
function run(
  script: string,
  args: string[],
  dataDirectory: string,
  extra?: Record<string, string>,
  umask?: string,
) {
  const command = portalCommand(script)
  const argv = [command.command, ...command.args, ...args]
  const [file, ...fileArgs] =
    umask === undefined ? argv : ['/bin/sh', '-c', `umask ${umask} && exec "$@"`, 'sh', ...argv]
  return new Promise<Result>((resolve, reject) => {
    const child = spawn(file as string, fileArgs, {
      cwd: dataDirectory,
      env: { ...command.env, ...environment(dataDirectory, extra) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

type Summary = {
  dryRun: boolean
  humans: number
  email: number
  postcard: number
  handout: number
  unreachable: number
  reprints: number
  postcardFile?: string
  handoutFile?: string
}

async function notify(dataDirectory: string, args: string[] = []): Promise<Summary> {
  const result = await run('app/cli/notify.ts', ['--json', ...args], dataDirectory)
  expect(result.stderr, 'notify stderr').toBe('')
  expect(result.status, 'notify exit status').toBe(0)
  return JSON.parse(result.stdout)
}

// ---- reading what the commands left ----

const databasePath = (dataDirectory: string) => join(dataDirectory, 'portal.db')

function withDatabase<T>(dataDirectory: string, read: (db: Database.Database) => T): T {
  const db = new Database(databasePath(dataDirectory), { readonly: true, fileMustExist: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

const count = (db: Database.Database, sql: string, ...params: unknown[]) =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as number

/** Every row of every table, as comparable text. */
function snapshot(dataDirectory: string) {
  return withDatabase(dataDirectory, (db) => {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .pluck()
      .all() as string[]
    return Object.fromEntries(
      tables.map((table) => [
        table,
        JSON.stringify(db.prepare(`select * from "${table}"`).raw().all(), (_, value) =>
          value?.type === 'Buffer' ? Buffer.from(value.data).toString('hex') : value,
        ),
      ]),
    )
  })
}

/** Files of a folder and its subfolders, relative to it. */
function listFiles(directory: string): string[] {
  if (!existsSync(directory)) return []
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort()
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** A printer file: UTF-8 with a BOM and CRLF line ends, parsed back by its header. */
function readPrinterFile(path: string, columns: string[]): Record<string, string>[] {
  const bytes = readFileSync(path)
  expect(bytes.subarray(0, 3).equals(BOM), `${path} begins with the UTF-8 BOM`).toBe(true)
  const text = bytes.toString('utf8')
  expect(text.endsWith('\r\n'), `${path} ends with CRLF`).toBe(true)
  expect(text.replaceAll('\r\n', '').includes('\n'), `${path} has a bare LF`).toBe(false)
  expect(text.slice(1, text.indexOf('\r\n'))).toBe(columns.join(','))
  return parse(bytes, { bom: true, columns: true }) as Record<string, string>[]
}

const POSTCARD_COLUMNS = [
  'postal_code',
  'address_line1',
  'address_line2',
  'recipient',
  'letter_code',
  'message_reference',
  'portal_address',
]
const HANDOUT_COLUMNS = ['id_kind', 'id', 'recipient', 'letter_code', 'message_reference', 'portal_address']

/** The code and reference of every row are well formed and those of a notice of `channel` in the database. */
function expectIssued(dataDirectory: string, channel: string, rows: Record<string, string>[]) {
  withDatabase(dataDirectory, (db) => {
    for (const row of rows) {
      const code = row.letter_code ?? ''
      const reference = row.message_reference ?? ''
      expect(code).toMatch(LETTER_CODE)
      expect(reference).toMatch(REFERENCE)
      const read = readLetterCode(code)
      expect(read.ok, `check symbol of ${code}`).toBe(true)
      const canonicalReference = readMessageReference(reference)
      expect(canonicalReference, `check symbol of ${reference}`).toBeDefined()
      const notice = db
        .prepare(
          `select n.channel, n.state, m.channel as messageChannel, n.human_id = m.human_id as sameHuman
           from notifications n join messages m on m.id = n.message_id
           where n.letter_code_index = ? and m.reference_index = ?`,
        )
        .get(
          read.ok ? index('letter-code', read.canonical) : null,
          index('message-ref', canonicalReference ?? ''),
        )
      expect(notice, `the notice with ${code} and ${reference}`).toEqual({
        channel,
        state: 'issued',
        messageChannel: channel,
        sameHuman: 1,
      })
    }
  })
}

function sortBy<T extends Record<string, string>>(rows: T[], key: keyof T) {
  return [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])))
}

// ---- e-mail ----

/** A header value with its RFC 2047 encoded words decoded (adjacent ones joined before decoding). */
function decodeHeader(value: string) {
  const joined = value.replace(/\?=\s+=\?/g, '?==?')
  const chunks: Buffer[] = []
  let last = 0
  for (const match of joined.matchAll(/=\?[^?]+\?([BbQq])\?([^?]*)\?=/g)) {
    chunks.push(Buffer.from(joined.slice(last, match.index)))
    const [, encoding = '', encoded = ''] = match
    chunks.push(
      encoding.toUpperCase() === 'B'
        ? Buffer.from(encoded, 'base64')
        : decodeQuotedPrintable(encoded.replaceAll('_', ' ')),
    )
    last = match.index + match[0].length
  }
  chunks.push(Buffer.from(joined.slice(last)))
  return Buffer.concat(chunks).toString('utf8')
}

type Email = { mail: ReceivedMail; from: string; subject: string; text: string; html: string }

function readEmail(mail: ReceivedMail): Email {
  const { headers } = splitEntity(mail.raw)
  const parts = mimeParts(mail.raw)
  const only = (type: string) => {
    const found = parts.filter((part) => part.type === type)
    expect(found, `${type} parts of the e-mail to ${mail.to.join(', ')}`).toHaveLength(1)
    return found[0]?.text ?? ''
  }
  return {
    mail,
    from: decodeHeader(headers.get('from') ?? ''),
    subject: decodeHeader(mail.subject ?? ''),
    text: only('text/plain'),
    html: only('text/html'),
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ')
const distinct = (values: Iterable<string>) => [...new Set(values)]

/** The category names the e-mail lists as exposed, in `language`, as text list lines and as HTML items. */
function listedCategories(email: Email, language: Language) {
  const labels = CATEGORY_LABELS[language]
  const bullet = language === 'ja' ? '・' : '- '
  const lines = email.text.split(/\r?\n/)
  const all = Object.keys(labels) as Category[]
  return {
    text: all.filter((category) => lines.includes(`${bullet}${labels[category]}`)),
    html: all.filter((category) => email.html.includes(`>${labels[category]}</li>`)),
  }
}

// ---- the tests ----

describe('npm run notify and npm run send', () => {
  // One import, copied for each scenario that needs a database of its own.
  let importedDirectory: string
  const directories: string[] = []
  let sink: SmtpSink | undefined

  function freshData() {
    const directory = mkdtempSync(join(tmpdir(), 'portal-notify-'))
    directories.push(directory)
    for (const suffix of ['', '-wal']) {
      const source = databasePath(importedDirectory) + suffix
      if (existsSync(source)) copyFileSync(source, databasePath(directory) + suffix)
    }
    return directory
  }

  beforeAll(async () => {
    const exported = exportDirectory()
    directories.push(exported)
    writeExport(exported)
    importedDirectory = mkdtempSync(join(tmpdir(), 'portal-notify-import-'))
    directories.push(importedDirectory)
    const imported = await run('app/cli/import.ts', ['--json', exported], importedDirectory)
    expect(imported.stderr).toBe('')
    expect(imported.status).toBe(0)
    const report = JSON.parse(imported.stdout) as { files: { file: string; rejected: number }[] }
    expect(report.files.map((file) => [file.file, file.rejected])).toEqual([
      ['members.csv', 0],
      ['member_cards.csv', 0],
      ['auction_buyers.csv', 0],
      ['employees.csv', 0],
      ['warehouse_staff.csv', 0],
    ])
    // The export has no language: a member who chose English on the portal is one whose row says so.
    const db = new Database(databasePath(importedDirectory))
    const changed = db
      .prepare("update subjects set language = 'en' where cohort = 'member' and natural_id_index = ?")
      .run(index('member-id', 'M3')).changes
    expect(changed).toBe(1)
    db.close()
    sink = await startSmtpSink()
  })

  afterAll(async () => {
    await sink?.close()
    for (const directory of directories) rmSync(directory, { recursive: true, force: true })
  })

  describe('one run after another on the same database', () => {
    let data: string
    let summary: Summary
    let postcardRows: Record<string, string>[] = []
    let handoutRows: Record<string, string>[] = []
    let emails: Email[] = []

    beforeAll(() => {
      data = freshData()
    })

    it('--dry-run --json prints what a run would do and changes nothing', async () => {
      const before = snapshot(data)
      const filesBefore = listFiles(data)
      const dryRun = await notify(data, ['--dry-run'])
      expect(dryRun).toEqual({ dryRun: true, humans: REACHABLE, ...EXPECTED })
      expect(snapshot(data)).toEqual(before)
      expect(listFiles(data)).toEqual(filesBefore)
      expect(existsSync(join(data, 'notify'))).toBe(false)
    })

    it('a run tells every reachable human once, by the channel their records allow', async () => {
      summary = await notify(data)
      const notifyDirectory = join(data, 'notify')
      expect(summary).toEqual({
        dryRun: false,
        humans: REACHABLE,
        ...EXPECTED,
        postcardFile: expect.stringMatching(/\/notify\/postcards-[^/]+\.csv$/),
        handoutFile: expect.stringMatching(/\/notify\/handouts-[^/]+\.csv$/),
      })
      expect(summary.postcardFile?.startsWith(notifyDirectory)).toBe(true)
      expect(summary.handoutFile?.startsWith(notifyDirectory)).toBe(true)

      withDatabase(data, (db) => {
        expect(count(db, 'select count(*) from subjects')).toBe(13)
        expect(count(db, 'select count(distinct human_id) from subjects')).toBe(REACHABLE + 1)
        expect(count(db, 'select count(*) from notifications')).toBe(REACHABLE)
        expect(count(db, "select count(*) from notifications where state <> 'issued'")).toBe(0)
        expect(
          db
            .prepare('select channel, count(*) from notifications group by channel order by channel')
            .raw()
            .all(),
        ).toEqual([
          ['email', EXPECTED.email],
          ['handout', EXPECTED.handout],
          ['postcard', EXPECTED.postcard],
        ])
        // Every human but the one nobody can reach has exactly one notice.
        const unnotified = db
          .prepare(
            `select distinct s.human_id from subjects s
             where not exists (select 1 from notifications n where n.human_id = s.human_id)`,
          )
          .pluck()
          .all()
        const m7 = db
          .prepare("select human_id from subjects where cohort = 'member' and natural_id_index = ?")
          .pluck()
          .get(index('member-id', 'M7'))
        expect(unnotified).toEqual([m7])
        expect(
          count(
            db,
            'select count(*) from notifications where human_id not in (select human_id from subjects)',
          ),
        ).toBe(0)

        // The buyer who shares M1's phone is M1's human, told once, by M1's e-mail.
        const humanOf = (cohort: string, kind: 'member-id' | 'buyer-id', id: string) =>
          db
            .prepare('select id, human_id as humanId from subjects where cohort = ? and natural_id_index = ?')
            .get(cohort, index(kind, id)) as { id: number; humanId: number }
        const m1 = humanOf('member', 'member-id', 'M1')
        const b1 = humanOf('auction_buyer', 'buyer-id', 'B1')
        const b2 = humanOf('auction_buyer', 'buyer-id', 'B2')
        expect(b1.humanId).toBe(m1.humanId)
        expect(b1.humanId).not.toBe(b1.id)
        expect(b2.humanId).toBe(b2.id)
        expect(
          db.prepare('select channel from notifications where human_id = ?').pluck().all(m1.humanId),
        ).toEqual(['email'])

        // Each notice has its own message; the outbox holds exactly the e-mail ones.
        expect(count(db, 'select count(*) from messages')).toBe(REACHABLE)
        expect(
          count(
            db,
            `select count(*) from notifications n join messages m on m.id = n.message_id
             where m.human_id = n.human_id and m.channel = n.channel and m.purpose = 'notification'`,
          ),
        ).toBe(REACHABLE)
        const outboxed = db
          .prepare('select message_id from outbox_messages order by message_id')
          .pluck()
          .all()
        const emailed = db
          .prepare("select message_id from notifications where channel = 'email' order by message_id")
          .pluck()
          .all()
        expect(outboxed).toHaveLength(EXPECTED.email)
        expect(outboxed).toEqual(emailed)
        expect(count(db, "select count(*) from outbox_messages where state = 'pending'")).toBe(EXPECTED.email)
      })
    })

    it('a second run notifies nobody and writes no file', async () => {
      const before = snapshot(data)
      const filesBefore = listFiles(data)
      const rerun = await notify(data)
      expect(rerun).toEqual({
        dryRun: false,
        humans: 0,
        email: 0,
        postcard: 0,
        handout: 0,
        unreachable: EXPECTED.unreachable,
        reprints: 0,
      })
      expect(snapshot(data)).toEqual(before)
      expect(listFiles(data)).toEqual(filesBefore)
    })

    it('writes the postcard and handout files whole, with BOM, CRLF and one distinct code per row', () => {
      const notifyDirectory = join(data, 'notify')
      expect(listFiles(notifyDirectory)).toEqual(
        [summary.handoutFile, summary.postcardFile].map((path) =>
          (path ?? '').slice(notifyDirectory.length + 1),
        ),
      )
      postcardRows = readPrinterFile(summary.postcardFile ?? '', POSTCARD_COLUMNS)
      handoutRows = readPrinterFile(summary.handoutFile ?? '', HANDOUT_COLUMNS)

      const withoutCodes = ({ letter_code, message_reference, ...rest }: Record<string, string>) => rest
      expect(sortBy(postcardRows.map(withoutCodes), 'recipient')).toEqual(
        sortBy(
          POSTCARDS.map((row) => ({ ...row, portal_address: PORTAL_ADDRESS })),
          'recipient',
        ),
      )
      expect(sortBy(handoutRows.map(withoutCodes), 'id')).toEqual(
        sortBy(
          HANDOUTS.map((row) => ({ ...row, portal_address: PORTAL_ADDRESS })),
          'id',
        ),
      )
      expectIssued(data, 'postcard', postcardRows)
      expectIssued(data, 'handout', handoutRows)
      const rows = [...postcardRows, ...handoutRows]
      expect(distinct(rows.map((row) => row.letter_code ?? ''))).toHaveLength(rows.length)
      expect(distinct(rows.map((row) => row.message_reference ?? ''))).toHaveLength(rows.length)
    })

    it('send --once delivers one e-mail per e-mail human: no links, their code, reference and categories only', async () => {
      const smtp = sink as SmtpSink
      const sent = await run('app/cli/send.ts', ['--once', '--json'], data, { SMTP_URL: smtp.url })
      expect(sent.stderr).toBe('')
      expect(sent.status).toBe(0)
      expect(JSON.parse(sent.stdout)).toEqual({
        sent: EXPECTED.email,
        retried: 0,
        failed: 0,
        outbox: { pending: 0, sending: 0, sent: EXPECTED.email, failed: 0 },
      })
      await smtp.waitFor(EXPECTED.email, 5_000)
      expect(smtp.received).toHaveLength(EXPECTED.email)
      emails = smtp.received.map(readEmail)
      expect(emails.map((email) => email.mail.to).sort()).toEqual(
        EMAIL_PEOPLE.map((person) => [person.to]).sort(),
      )

      for (const person of EMAIL_PEOPLE) {
        const email = emails.find((found) => found.mail.to[0] === person.to) as Email
        const who = `the e-mail to ${person.to}`
        expect(email.mail.from, `${who}: envelope sender`).toBe(MAIL_FROM_ADDRESS)
        expect(email.from, `${who}: From`).toBe(MAIL_FROM)
        expect(email.subject, `${who}: Subject`).toBe(SUBJECT[person.language])

        const codes = distinct(email.text.match(LETTER_CODE_IN_TEXT) ?? [])
        const references = distinct(email.text.match(REFERENCE_IN_TEXT) ?? [])
        expect(codes, `${who}: letter codes`).toHaveLength(1)
        expect(references, `${who}: references`).toHaveLength(1)
        const [code = '', reference = ''] = [codes[0], references[0]]
        expect(code).toMatch(LETTER_CODE)
        expect(reference).toMatch(REFERENCE)
        expect(email.html).toContain(code)
        expect(email.html).toContain(reference)
        expectIssued(data, 'email', [{ letter_code: code, message_reference: reference }])

        for (const [part, body] of [
          ['text', email.text],
          ['html', email.html],
        ] as const) {
          const where = `${who} (${part})`
          for (const link of ['http://', 'https://', 'www.', '<a ', 'href'])
            expect(body.toLowerCase(), `${where} contains ${link}`).not.toContain(link)
          const flat = oneLine(body)
          expect(flat, where).toContain(NEVER_ASK.ja)
          expect(flat, where).toContain(NEVER_ASK.en)
          const [first, second] =
            person.language === 'ja' ? [NEVER_ASK.ja, NEVER_ASK.en] : [NEVER_ASK.en, NEVER_ASK.ja]
          expect(flat.indexOf(first), `${where}: ${person.language} comes first`).toBeLessThan(
            flat.indexOf(second),
          )
          expect(body, where).toContain(PORTAL_ADDRESS)
          expect(body, where).toContain(person.familyName)
          expect(body, where).toContain(person.givenName)
          // Category names, never the values themselves.
          const withoutCodes = body.replaceAll(code, '').replaceAll(reference, '')
          for (const value of person.values)
            expect(withoutCodes, `${where} shows ${value}`).not.toContain(value)
        }
        expect(email.html, who).toContain(`<html lang="${person.language}">`)

        for (const language of ['ja', 'en'] as const) {
          const listed = listedCategories(email, language)
          expect(listed.text, `${who}: ${language} categories (text)`).toEqual(person.categories)
          expect(listed.html, `${who}: ${language} categories (html)`).toEqual(person.categories)
        }
      }

      const codes = [
        ...emails.map((email) => email.text.match(LETTER_CODE_IN_TEXT)?.[0] ?? ''),
        ...postcardRows.map((row) => row.letter_code ?? ''),
        ...handoutRows.map((row) => row.letter_code ?? ''),
      ]
      expect(distinct(codes)).toHaveLength(REACHABLE)
    })

    it('stores the letter codes only as keyed hashes: no code appears in the database files', () => {
      const codes = [
        ...emails.map((email) => email.text.match(LETTER_CODE_IN_TEXT)?.[0] ?? ''),
        ...postcardRows.map((row) => row.letter_code ?? ''),
        ...handoutRows.map((row) => row.letter_code ?? ''),
      ]
      const references = [
        ...emails.map((email) => email.text.match(REFERENCE_IN_TEXT)?.[0] ?? ''),
        ...postcardRows.map((row) => row.message_reference ?? ''),
        ...handoutRows.map((row) => row.message_reference ?? ''),
      ]
      expect(distinct(codes.filter((code) => LETTER_CODE.test(code)))).toHaveLength(REACHABLE)
      expect(distinct(references.filter((reference) => REFERENCE.test(reference)))).toHaveLength(REACHABLE)
      const files = ['', '-wal', '-journal']
        .map((suffix) => databasePath(data) + suffix)
        .filter((path) => existsSync(path))
      const bytes = Buffer.concat(files.map((path) => readFileSync(path)))
      expect(bytes.length).toBeGreaterThan(0)
      const needles = [
        ...codes.flatMap((code) => [code, code.replaceAll('-', '')]),
        ...references.flatMap((reference) => [
          reference,
          reference.replaceAll('-', ''),
          reference.slice(2).replaceAll('-', ''),
        ]),
      ]
      const found = needles.filter((needle) => bytes.includes(Buffer.from(needle)))
      expect(found).toEqual([])
    })
  })

  it('--limit 3 notifies exactly three humans, and a later run the rest', async () => {
    const data = freshData()
    const first = await notify(data, ['--limit', '3'])
    expect(first.email + first.postcard + first.handout).toBe(3)
    expect(first.humans).toBe(3)
    const notified = () => withDatabase(data, (db) => count(db, 'select count(*) from notifications'))
    expect(notified()).toBe(3)

    const rest = await notify(data)
    expect(rest.humans).toBe(REACHABLE - 3)
    expect(rest.unreachable).toBe(EXPECTED.unreachable)
    expect({
      email: first.email + rest.email,
      postcard: first.postcard + rest.postcard,
      handout: first.handout + rest.handout,
    }).toEqual({ email: EXPECTED.email, postcard: EXPECTED.postcard, handout: EXPECTED.handout })
    expect(notified()).toBe(REACHABLE)
    withDatabase(data, (db) => {
      expect(count(db, 'select count(distinct human_id) from notifications')).toBe(REACHABLE)
      expect(count(db, 'select count(*) from outbox_messages')).toBe(EXPECTED.email)
    })
  })

  it('--postcards FILE --handouts FILE write to those paths and nowhere else', async () => {
    const data = freshData()
    const output = mkdtempSync(join(tmpdir(), 'portal-notify-files-'))
    directories.push(output)
    const postcards = join(output, 'printer', 'batch 1', 'postcards.csv')
    const handouts = join(output, 'handouts-for-employers.csv')
    const summary = await notify(data, ['--postcards', postcards, '--handouts', handouts])
    expect(summary).toEqual({
      dryRun: false,
      humans: REACHABLE,
      ...EXPECTED,
      postcardFile: postcards,
      handoutFile: handouts,
    })
    expect(listFiles(output)).toEqual([
      'handouts-for-employers.csv',
      join('printer', 'batch 1', 'postcards.csv'),
    ])
    expect(existsSync(join(data, 'notify'))).toBe(false)
    const postcardRows = readPrinterFile(postcards, POSTCARD_COLUMNS)
    const handoutRows = readPrinterFile(handouts, HANDOUT_COLUMNS)
    expect(postcardRows.map((row) => row.recipient).sort()).toEqual(
      POSTCARDS.map((row) => row.recipient).sort(),
    )
    expect(handoutRows.map((row) => row.id).sort()).toEqual(HANDOUTS.map((row) => row.id).sort())
    expectIssued(data, 'postcard', postcardRows)
    expectIssued(data, 'handout', handoutRows)
  })

  it('never writes over the file of an earlier run in the same second', async () => {
    const data = freshData()
    const notifyDirectory = join(data, 'notify')
    mkdirSync(notifyDirectory)
    // What an earlier run would have left, for every second this run might start in.
    const earlier = new Map<string, string>()
    const now = Date.now()
    for (let second = -2; second <= 60; second++) {
      const stamp = new Date(now + second * 1000).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
      for (const kind of ['postcards', 'handouts']) {
        const name = `${kind}-${stamp}.csv`
        earlier.set(name, `an earlier run's ${name}`)
        writeFileSync(join(notifyDirectory, name), `an earlier run's ${name}`)
      }
    }
    const summary = await notify(data)
    expect(summary).toMatchObject({ humans: REACHABLE, ...EXPECTED })
    for (const [name, content] of earlier)
      expect(readFileSync(join(notifyDirectory, name), 'utf8'), name).toBe(content)
    expect(listFiles(notifyDirectory).filter((name) => !earlier.has(name))).toEqual(
      [summary.handoutFile, summary.postcardFile].map((path) =>
        (path ?? '').slice(notifyDirectory.length + 1),
      ),
    )
    expect(readPrinterFile(summary.postcardFile ?? '', POSTCARD_COLUMNS)).toHaveLength(EXPECTED.postcard)
    expect(readPrinterFile(summary.handoutFile ?? '', HANDOUT_COLUMNS)).toHaveLength(EXPECTED.handout)
  })

  describe('printer files are for the portal user alone', () => {
    const mode = (path: string) => statSync(path).mode & 0o777

    it('a run writes them 0600 into a 0700 folder, even under umask 000', async () => {
      const data = freshData()
      const result = await run('app/cli/notify.ts', ['--json'], data, undefined, '000')
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      const summary = JSON.parse(result.stdout) as Summary
      expect(summary).toMatchObject({ humans: REACHABLE, ...EXPECTED })
      expect(mode(join(data, 'notify'))).toBe(0o700)
      expect(mode(summary.postcardFile ?? '')).toBe(0o600)
      expect(mode(summary.handoutFile ?? '')).toBe(0o600)
    })

    it('a run narrows a wider portal folder (as earlier versions made it) to 0700', async () => {
      const data = freshData()
      const notifyDirectory = join(data, 'notify')
      mkdirSync(notifyDirectory)
      chmodSync(notifyDirectory, 0o755)
      const summary = await notify(data)
      expect(mode(notifyDirectory)).toBe(0o700)
      expect(mode(summary.postcardFile ?? '')).toBe(0o600)
      expect(mode(summary.handoutFile ?? '')).toBe(0o600)
    })

    it('--postcards FILE --handouts FILE: missing folders are made 0700 and the files 0600, even under umask 000', async () => {
      const data = freshData()
      const output = mkdtempSync(join(tmpdir(), 'portal-notify-files-'))
      directories.push(output)
      const postcards = join(output, 'printer', 'batch 1', 'postcards.csv')
      const handouts = join(output, 'handouts.csv')
      const result = await run(
        'app/cli/notify.ts',
        ['--json', '--postcards', postcards, '--handouts', handouts],
        data,
        undefined,
        '000',
      )
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(mode(join(output, 'printer'))).toBe(0o700)
      expect(mode(join(output, 'printer', 'batch 1'))).toBe(0o700)
      expect(mode(postcards)).toBe(0o600)
      expect(mode(handouts)).toBe(0o600)
    })

    it('refuses a chosen folder other users can enter, before anyone is notified, dry run or not', async () => {
      const data = freshData()
      const output = mkdtempSync(join(tmpdir(), 'portal-notify-open-'))
      directories.push(output)
      chmodSync(output, 0o755)
      const before = snapshot(data)
      for (const args of [
        ['--postcards', join(output, 'postcards.csv')],
        ['--handouts', join(output, 'handouts.csv'), '--dry-run'],
      ]) {
        const result = await run('app/cli/notify.ts', args, data)
        expect(result.status, args.join(' ')).toBe(1)
        expect(result.stdout).toBe('')
        expect(result.stderr).toContain(`${output} can be entered by other users`)
        expect(result.stderr).toContain(`chmod 700 ${output}`)
        expect(result.stderr).not.toMatch(/\n\s+at /)
      }
      expect(snapshot(data)).toEqual(before)
      expect(listFiles(output)).toEqual([])
      expect(mode(output)).toBe(0o755)
    })
  })

  describe('npm run notify -- --purge-printed', () => {
    const DAY = 86_400_000
    const PERSONAL = '田中 三郎 様,ABCD-EFGH-JKLM-N'
    // No process has this id (Linux allows at most 2^22), so its file is a dead run's leftover.
    const DEAD_PID = 2_147_483_646

    /** The portal's printer folder as runs over the last weeks left it; every file's age in days. */
    function printedFolder() {
      const data = freshData()
      const folder = join(data, 'notify')
      mkdirSync(folder)
      chmodSync(folder, 0o755)
      const outside = join(data, 'elsewhere.csv')
      const ages: Record<string, number> = {
        'postcards-20261101T090000.csv': 30,
        'handouts-20261101T090000.csv': 30,
        'postcards-20261120T090000-2.csv': 8,
        [`handouts-20261102T090000.csv.${DEAD_PID}.partial`]: 30,
        // A run still writing (here: this test's own process), however old its file looks.
        [`postcards-20261102T090000.csv.${process.pid}.partial`]: 30,
        'handouts-20261127T090000.csv': 6,
        'postcards-20261203T090000.csv': 0.01,
        // Not the portal's printer files.
        'notes.txt': 30,
        'postcards-final.csv': 30,
        'postcards-20261101T090000.csv.bak': 30,
      }
      for (const [name, age] of Object.entries(ages)) {
        const path = join(folder, name)
        writeFileSync(path, `recipient,letter_code\r\n${PERSONAL}\r\n`)
        const time = new Date(Date.now() - age * DAY)
        utimesSync(path, time, time)
      }
      const old = new Date(Date.now() - 30 * DAY)
      writeFileSync(outside, PERSONAL)
      utimesSync(outside, old, old)
      symlinkSync(outside, join(folder, 'handouts-20261103T090000.csv'))
      lutimesSync(join(folder, 'handouts-20261103T090000.csv'), old, old)
      mkdirSync(join(folder, 'postcards-20261104T090000.csv'))
      utimesSync(join(folder, 'postcards-20261104T090000.csv'), old, old)
      return { data, folder, outside, names: readdirSync(folder).sort() }
    }

    const purge = (data: string, args: string[] = []) =>
      run('app/cli/notify.ts', ['--purge-printed', ...args], data)

    it('removes only the portal printer files older than 7 days, and says how many in JSON', async () => {
      const { data, folder, outside, names } = printedFolder()
      const result = await purge(data, ['--json'])
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({
        dryRun: false,
        directory: folder,
        olderThanDays: 7,
        removed: 4,
        kept: 3,
      })
      const removed = [
        'postcards-20261101T090000.csv',
        'handouts-20261101T090000.csv',
        'postcards-20261120T090000-2.csv',
        `handouts-20261102T090000.csv.${DEAD_PID}.partial`,
      ]
      expect(readdirSync(folder).sort()).toEqual(names.filter((name) => !removed.includes(name)))
      expect(readFileSync(outside, 'utf8')).toBe(PERSONAL)
      expect(lstatSync(join(folder, 'handouts-20261103T090000.csv')).isSymbolicLink()).toBe(true)
      expect(statSync(folder).mode & 0o777).toBe(0o700)
    })

    it('--older-than-days 1 --dry-run counts what it would remove and removes nothing', async () => {
      const { data, folder, names } = printedFolder()
      const result = await purge(data, ['--older-than-days', '1', '--dry-run'])
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(
        `Would remove 5 printer files older than 1 day from ${folder}; 2 newer or still being written stay.\n`,
      )
      expect(readdirSync(folder).sort()).toEqual(names)
    })

    it('--older-than-days 1 removes all but the files of today and of a run still writing, naming no one', async () => {
      const { data, folder } = printedFolder()
      const result = await purge(data, ['--older-than-days', '1'])
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(
        `Removed 5 printer files older than 1 day from ${folder}; 2 newer or still being written stay.\n`,
      )
      for (const part of PERSONAL.split(',')) expect(result.stdout).not.toContain(part)
      expect(readdirSync(folder).sort()).toEqual(
        [
          'handouts-20261103T090000.csv',
          'notes.txt',
          'postcards-20261101T090000.csv.bak',
          `postcards-20261102T090000.csv.${process.pid}.partial`,
          'postcards-20261104T090000.csv',
          'postcards-20261203T090000.csv',
          'postcards-final.csv',
        ].sort(),
      )
    })

    it('with no printer folder yet removes nothing and creates none', async () => {
      const data = freshData()
      const result = await purge(data, ['--json'])
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ removed: 0, kept: 0 })
      expect(existsSync(join(data, 'notify'))).toBe(false)
    })

    it('refuses bad or mixed arguments with the usage line, removing nothing', async () => {
      const { data, folder, names } = printedFolder()
      for (const args of [
        ['--purge-printed', '--older-than-days', '0'],
        ['--purge-printed', '--older-than-days', '-3'],
        ['--purge-printed', '--older-than-days', '1.5'],
        ['--purge-printed', '--older-than-days', 'seven'],
        ['--purge-printed', '--older-than-days', '366'],
        ['--purge-printed', '--older-than-days', '9'.repeat(400)],
        ['--purge-printed', '--postcards', join(data, 'p.csv')],
        ['--purge-printed', '--limit', '3'],
        ['--older-than-days', '7'],
      ]) {
        const result = await run('app/cli/notify.ts', args, data)
        expect(result.status, args.join(' ')).toBe(2)
        expect(result.stdout, args.join(' ')).toBe('')
        expect(result.stderr, args.join(' ')).toContain('--purge-printed [--older-than-days N]')
      }
      expect(readdirSync(folder).sort()).toEqual(names)
      withDatabase(data, (db) => expect(count(db, 'select count(*) from notifications')).toBe(0))
    })
  })
})
