import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { portalCommand } from '../support/portal-command'
import { PRODUCTION_MAIL, testSecrets } from '../support/secrets'

const start = portalCommand('app/cli/start.ts')
const freshDirectory = () => mkdtempSync(join(tmpdir(), 'portal-start-'))

let running: ChildProcess | undefined

afterEach(() => {
  running?.kill('SIGTERM')
  running = undefined
})

function startIn(directory: string, env: Record<string, string>) {
  const child = spawn(start.command, start.args, {
    cwd: directory,
    // NODE_ENV left unset, as `npm start` on a developer's machine leaves it.
    env: { ...start.env, PATH: process.env.PATH, PORT: '0', ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running = child
  let output = ''
  return new Promise<{ url: string; output: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const url = output.match(/listening on (http:\/\/localhost:\d+)/)?.[1]
      if (url) resolve({ url, output })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
  })
}

// Each start migrates, makes secrets and, outside production, loads the demo
// people and staff (argon2 hashes): 14 s on a loaded 2-core machine in CI, and some tests start twice.
describe('npm start on a fresh machine', { timeout: 90_000 }, () => {
  it('creates private local secrets, says so in one line, migrates and serves', async () => {
    const directory = freshDirectory()
    const { url, output } = await startIn(directory, {})
    const envPath = join(directory, '.env')
    expect(output.split('\n').filter((line) => line.includes('.env'))).toEqual([
      `Created ${envPath} with new random secrets (keep it out of version control).`,
    ])
    expect(statSync(envPath).mode & 0o777).toBe(0o600)
    expect(Object.keys(parseEnv(readFileSync(envPath, 'utf8'))).sort()).toEqual([
      // Not a secret: a first run's letter codes stay valid for 90 days, whatever the clock says.
      'AUDIT_SIGNING_KEY',
      'LETTER_CODE_VALID_UNTIL',
      'PORTAL_DATA_KEY',
      'PORTAL_INDEX_KEY',
      'SESSION_SECRET',
      'SHOP_API_TOKEN',
    ])
    expect((await fetch(url)).status).toBe(200)
    const db = new Database(join(directory, 'data/portal.db'), { readonly: true })
    const tables = db.prepare("select name from sqlite_master where type = 'table'").pluck().all()
    expect(tables).toContain('portal_meta')
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    // The server signs an audit checkpoint as it starts, into a private file beside the database.
    const checkpoints = join(directory, 'data/portal.db.audit-checkpoints.jsonl')
    expect(statSync(checkpoints).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(checkpoints, 'utf8'))).toMatchObject({ v: 1, count: expect.any(Number) })
  })

  it('loads demo people into an empty database and says where to find them, once', async () => {
    const directory = freshDirectory()
    // The same keys both times: with others the portal would refuse to start on what the first sealed.
    const secrets = testSecrets()
    const first = await startIn(directory, secrets)
    expect(first.output).toMatch(/Loaded demo data \(\d+ people\)\. Demo identities to try: README\.md/)
    running?.kill('SIGTERM')
    const db = new Database(join(directory, 'data/portal.db'), { readonly: true })
    const members = db
      .prepare("select count(*) from subjects where cohort = 'member'")
      .pluck()
      .get() as number
    db.close()
    expect(members).toBeGreaterThan(1000)
    const second = await startIn(directory, secrets)
    expect(second.output).not.toContain('Loaded demo data')
  })

  it('never loads demo data in production', async () => {
    const directory = freshDirectory()
    const { output } = await startIn(directory, {
      ...testSecrets(),
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://portal.example',
      ...PRODUCTION_MAIL,
    })
    expect(output).not.toContain('demo')
    const db = new Database(join(directory, 'data/portal.db'), { readonly: true })
    expect(db.prepare('select count(*) from subjects').pluck().get()).toBe(0)
    db.close()
  })

  it('keeps the secrets of an existing .env on the next start', async () => {
    const directory = freshDirectory()
    await startIn(directory, {})
    running?.kill('SIGTERM')
    const before = readFileSync(join(directory, '.env'), 'utf8')
    const { output } = await startIn(directory, {})
    expect(output).not.toContain('Created')
    expect(readFileSync(join(directory, '.env'), 'utf8')).toBe(before)
  })
})

describe('starting on a busy port', () => {
  // Whatever holds the port will do; a plain listener spares a second portal's start (demo people,
  // demo staff and their argon2 hashes), which took most of the 30 s on a loaded machine.
  it('stops with one line saying so', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as AddressInfo
    try {
      const result = spawnSync(start.command, start.args, {
        cwd: freshDirectory(),
        env: {
          ...start.env,
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          PORT: String(port),
          PORTAL_DEMO_DATA: 'off',
          ...testSecrets(),
        },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(result.status).toBe(1)
      expect(result.stderr.trim()).toBe(`Port ${port} is already in use (set PORT to another one).`)
    } finally {
      holder.close()
    }
  }, 90_000)
})

describe('starting with a bad environment', () => {
  it('stops production with one line naming the missing secret', () => {
    const { PORTAL_DATA_KEY: _omitted, ...secrets } = testSecrets()
    const result = spawnSync(start.command, start.args, {
      cwd: freshDirectory(),
      env: {
        ...start.env,
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://portal.example',
        ...PRODUCTION_MAIL,
        ...secrets,
      },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Configuration error: PORTAL_DATA_KEY is not set')
    expect(result.stdout).not.toContain('listening')
  })

  it('generates nothing in production', () => {
    const directory = freshDirectory()
    const result = spawnSync(start.command, start.args, {
      cwd: directory,
      env: {
        ...start.env,
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://portal.example',
        ...PRODUCTION_MAIL,
      },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Configuration error: SESSION_SECRET is not set')
    expect(() => statSync(join(directory, '.env'))).toThrow()
  })
})
