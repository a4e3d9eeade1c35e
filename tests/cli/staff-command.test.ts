import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { ENROLMENT_PASSWORD_PATTERN, ENROLMENT_PASSWORD_VALID_MS } from '~/staff/enrolment-password.server'
import { STAFF_ID_PATTERN } from '~/staff/staff-id.server'
import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { runPortalCommand } from '../support/notified-population'
import { PRODUCTION_MAIL, testSecrets } from '../support/secrets'

/**
 * `npm run staff` as a real process over a real SQLite file, with the keys
 * from the environment as every command has them.
 */

const secrets = testSecrets()
let directory: string
let env: Record<string, string>

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'staff-command-'))
  env = { PATH: process.env.PATH ?? '', DATABASE_URL: join(directory, 'portal.db'), ...secrets }
})

afterAll(() => {
  stopPasswordWork()
  rmSync(directory, { recursive: true, force: true })
})

const staff = (...args: string[]) => runPortalCommand('app/cli/staff.ts', { cwd: directory, env, args })
const lines = (text: string) => text.split('\n').filter((line) => line !== '')

type Listed = { id: string; email: string; name: string; role: string; state: string; totp: boolean }

async function listed(): Promise<Listed[]> {
  const result = await staff('list', '--json')
  expect(result.status).toBe(0)
  return JSON.parse(result.stdout)
}

describe('npm run staff', () => {
  let agentId: string
  let supervisorId: string

  it('creates an account and prints its enrolment password once, as JSON with --json', async () => {
    const before = Date.now()
    const result = await staff(
      'create',
      '--email',
      'Kanri.Ichiro@Example.jp',
      '--name',
      '管理 一郎',
      '--role',
      'agent',
      '--json',
    )
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const created = JSON.parse(result.stdout)
    expect(Object.keys(created)).toEqual(['id', 'email', 'role', 'enrolmentPassword', 'expiresAt'])
    expect(created).toMatchObject({ email: 'Kanri.Ichiro@Example.jp', role: 'agent' })
    expect(created.id).toMatch(STAFF_ID_PATTERN)
    expect(created.enrolmentPassword).toMatch(ENROLMENT_PASSWORD_PATTERN)
    const expiresAt = Date.parse(created.expiresAt)
    expect(expiresAt).toBeGreaterThanOrEqual(before + ENROLMENT_PASSWORD_VALID_MS)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + ENROLMENT_PASSWORD_VALID_MS)
    agentId = created.id
  })

  it('prints the password for a person, keeps neither address nor name in clear, and lists without passwords', async () => {
    const result = await staff(
      'create',
      '--email',
      'kantoku.hanako@example.jp',
      '--name',
      '監督 花子',
      '--role',
      'supervisor',
    )
    expect(result.status).toBe(0)
    const [createdLine, passwordLine, validLine] = lines(result.stdout)
    expect(createdLine).toMatch(/^Created supervisor (S[0-9A-Z]{10}) \(kantoku\.hanako@example\.jp\)\.$/)
    supervisorId = createdLine?.match(/S[0-9A-Z]{10}/)?.[0] ?? ''
    const password = passwordLine?.replace('Enrolment password, shown only now: ', '') ?? ''
    expect(password).toMatch(ENROLMENT_PASSWORD_PATTERN)
    expect(validLine).toMatch(/^It signs in until \d{4}-\d{2}-\d{2}T.+Z \(24 hours\)/)

    const bytes = Buffer.concat(
      ['portal.db', 'portal.db-wal']
        .map((file) => join(directory, file))
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path)),
    )
    for (const needle of [
      'kantoku.hanako',
      'Kanri.Ichiro',
      'kanri.ichiro',
      '監督 花子',
      '管理 一郎',
      password,
    ])
      expect(bytes.indexOf(Buffer.from(needle)), needle).toBe(-1)

    const table = await staff('list')
    expect(table.status).toBe(0)
    const [header, ...rows] = lines(table.stdout)
    expect(header?.split(/\s{2,}/)).toEqual(['ID', 'ROLE', 'STATE', 'MFA', 'CREATED', 'NAME', 'E-MAIL'])
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(
      new RegExp(
        `^${agentId}\\s+agent\\s+enrolling\\s+none\\s+\\d{4}-\\d{2}-\\d{2}\\s+管理 一郎\\s+Kanri\\.Ichiro@Example\\.jp$`,
      ),
    )
    expect(rows[1]).toContain('監督 花子')
    expect(table.stdout).not.toContain(password)

    expect(
      (await listed()).map(({ id, email, name, role, state }) => ({ id, email, name, role, state })),
    ).toEqual([
      { id: agentId, email: 'Kanri.Ichiro@Example.jp', name: '管理 一郎', role: 'agent', state: 'enrolling' },
      {
        id: supervisorId,
        email: 'kantoku.hanako@example.jp',
        name: '監督 花子',
        role: 'supervisor',
        state: 'enrolling',
      },
    ])
  })

  it('refuses a second account for an address that has one, in one line that does not repeat it', async () => {
    const result = await staff(
      'create',
      '--email',
      'KANRI.ichiro@example.jp',
      '--name',
      '別人',
      '--role',
      'supervisor',
      '--json',
    )
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)).toEqual(['A staff account with that e-mail address already exists.'])
    expect(await listed()).toHaveLength(2)
  })

  it('disables an account, and says so when it already was', async () => {
    const first = await staff('disable', '--email', 'kanri.ichiro@example.jp')
    expect(first.status).toBe(0)
    expect(first.stdout.trim()).toBe(`Disabled ${agentId}.`)
    const again = await staff('disable', '--email', 'Kanri.Ichiro@Example.jp', '--json')
    expect(again.status).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({ id: agentId, outcome: 'already-disabled' })
    expect((await listed()).map(({ id, state }) => ({ id, state }))).toEqual([
      { id: agentId, state: 'disabled' },
      { id: supervisorId, state: 'enrolling' },
    ])
  })

  it('removes every second factor of one account with reset-mfa', async () => {
    const sqlite = new Database(join(directory, 'portal.db'))
    try {
      sqlite
        .prepare('update staff_members set totp_secret_sealed = ?, totp_last_step = 7 where id = ?')
        .run(Buffer.from('sealed'), supervisorId)
      for (const code of ['a', 'b'])
        sqlite
          .prepare('insert into staff_recovery_codes (staff_id, code_hash) values (?, ?)')
          .run(supervisorId, Buffer.from(code))
      sqlite
        .prepare('insert into staff_passkeys (staff_id, credential_id, public_key) values (?, ?, ?)')
        .run(supervisorId, Buffer.from('credential'), Buffer.from('key'))
    } finally {
      sqlite.close()
    }
    const result = await staff('reset-mfa', '--email', 'kantoku.hanako@example.jp', '--json')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ id: supervisorId, totp: true, recoveryCodes: 2, passkeys: 1 })

    const human = await staff('reset-mfa', '--email', 'kantoku.hanako@example.jp')
    expect(human.status).toBe(0)
    expect(human.stdout.trim()).toBe(
      `Reset the second factors of ${supervisorId}: authenticator app none, 0 recovery codes and 0 passkeys removed. They enrol again at their next sign-in.`,
    )
    expect((await listed()).find(({ id }) => id === supervisorId)?.totp).toBe(false)
  })

  it.each([['disable'], ['reset-mfa']])(
    '%s: an address with no account exits 1 with one line',
    async (command) => {
      const result = await staff(command, '--email', 'nobody.here@example.jp')
      expect(result.status).toBe(1)
      expect(result.stdout).toBe('')
      expect(lines(result.stderr)).toEqual(['No staff account has that e-mail address.'])
      expect(result.stderr).not.toContain('nobody.here')
    },
  )
})

describe('npm run staff with bad arguments', () => {
  const CASES: [string, string[], string][] = [
    ['no command', [], 'a command is required'],
    ['an unknown command', ['promote-Q7X'], 'unknown command'],
    [
      'a malformed address',
      ['create', '--email', 'not-an-address-Q7X', '--name', 'N', '--role', 'agent'],
      '--email must be an e-mail address',
    ],
    [
      'an unknown role',
      ['create', '--email', 'a@example.jp', '--name', 'N', '--role', 'boss-Q7X'],
      '--role must be agent or supervisor',
    ],
    ['no name', ['create', '--email', 'a@example.jp', '--role', 'agent'], '--name is required'],
    [
      'a name of spaces',
      ['create', '--email', 'a@example.jp', '--name', '   ', '--role', 'agent'],
      '--name must be 1 to 100 characters of text',
    ],
    [
      'a name too long',
      ['create', '--email', 'a@example.jp', '--name', 'Q7X'.repeat(40), '--role', 'agent'],
      '--name must be 1 to 100 characters of text',
    ],
    ['no address', ['disable'], '--email is required'],
    [
      'an address too long',
      ['reset-mfa', '--email', `${'Q7X'.repeat(2000)}@example.jp`],
      'an argument is longer than 4096 characters',
    ],
    ['an option the command does not take', ['list', '--email', 'a@example.jp'], "Unknown option '--email'"],
  ]

  it.each(CASES)('%s: exits 2 with one line, quoting nothing typed', async (_case, args, problem) => {
    const result = await staff(...args)
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    const [line, ...more] = lines(result.stderr)
    expect(more).toEqual([])
    expect(line?.startsWith(`${problem}; usage: npm run staff -- create --email E`)).toBe(true)
    expect(line).not.toContain('Q7X')
  })
})

describe('npm start in production', () => {
  it('refuses a database holding the demo staff, with one line, before building anything', async () => {
    const productionDirectory = mkdtempSync(join(tmpdir(), 'staff-production-'))
    const productionSecrets = testSecrets()
    const database = join(productionDirectory, 'portal.db')
    const db = openDatabase(database)
    try {
      migrateDatabase(db)
      const crypto = createPortalCrypto({
        dataKey: productionSecrets.PORTAL_DATA_KEY,
        indexKey: productionSecrets.PORTAL_INDEX_KEY,
      })
      await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
    } finally {
      closeDatabase(db)
    }
    try {
      const result = await runPortalCommand('app/cli/start.ts', {
        cwd: productionDirectory,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          PUBLIC_URL: 'https://portal.example',
          DATABASE_URL: database,
          PORT: '0',
          ...PRODUCTION_MAIL,
          ...productionSecrets,
        },
      })
      expect(result.status).toBe(1)
      expect(lines(result.stderr)).toEqual([
        'This database holds the demo staff accounts, whose passwords are public (README.md, "Demo staff"): production does not start on it. Give production a database of its own.',
      ])
      expect(result.stdout).not.toMatch(/build|listening/i)
    } finally {
      rmSync(productionDirectory, { recursive: true, force: true })
    }
  })
})
