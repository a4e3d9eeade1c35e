import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyStatus } from '~/keys/key-status.server'
import { runPortalCommand } from '../support/notified-population'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from '../support/postgres-database'
import { testSecrets } from '../support/secrets'

/**
 * The operator's commands as real processes against a PostgreSQL database:
 * each opens it by DATABASE_URL, migrates it, does its work and closes, and
 * none prints the URL's password (a trusting test server ignores it).
 */

const PASSWORD = 'never-printed-3f9c'
let database: ScratchPostgresDatabase
let directory: string
let env: Record<string, string>

beforeAll(async () => {
  database = await scratchPostgresDatabase('commands')
  directory = mkdtempSync(join(tmpdir(), 'postgres-commands-'))
  const url = new URL(database.url)
  url.password = PASSWORD
  env = { PATH: process.env.PATH ?? '', DATABASE_URL: url.toString(), ...testSecrets() }
})

afterAll(async () => {
  await database?.drop()
  rmSync(directory, { recursive: true, force: true })
})

const run = async (script: string, args: string[] = [], more: Record<string, string> = {}) => {
  const result = await runPortalCommand(script, { cwd: directory, env: { ...env, ...more }, args })
  expect(result.stdout + result.stderr).not.toContain(PASSWORD)
  return result
}

const where = () => {
  const { hostname, port, pathname } = new URL(database.url)
  return `PostgreSQL at ${hostname}:${port}${pathname}`
}

describe('commands on PostgreSQL', () => {
  it('migrates the database, naming it without its password', async () => {
    const migrated = await run('app/cli/migrate.ts')
    expect(migrated.status, migrated.stderr).toBe(0)
    expect(migrated.stdout).toBe(`Database ${where()} is up to date.\n`)
  })

  it('makes and lists a staff account, and audits it in a chain that verifies', async () => {
    const created = await run('app/cli/staff.ts', [
      'create',
      '--email',
      'kobayashi.agent@example.jp',
      '--name',
      '小林 試験',
      '--role',
      'agent',
      '--json',
    ])
    expect(created.status, created.stderr).toBe(0)
    const listed = await run('app/cli/staff.ts', ['list', '--json'])
    expect(listed.status, listed.stderr).toBe(0)
    const staff = JSON.parse(listed.stdout) as { email: string; role: string }[]
    expect(staff).toEqual([expect.objectContaining({ email: 'kobayashi.agent@example.jp', role: 'agent' })])
    const verified = await run('app/cli/audit.ts', ['verify', '--json'])
    expect(verified.status, verified.stderr).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true })
  })

  it('reports what each key holds, and finds nothing to rotate under the keys it was made with', async () => {
    const status = await run('app/cli/keys.ts', ['status', '--json'])
    expect(status.status, status.stderr).toBe(0)
    const report = JSON.parse(status.stdout) as KeyStatus & {
      index: { storedKeyId: string; currentKeyId: string; toRecompute: number }
    }
    // The staff member's e-mail address and name, sealed under the current key.
    expect(report.keys).toEqual([expect.objectContaining({ role: 'current', values: 2 })])
    expect(report).toMatchObject({ toReseal: 0, unopenable: 0, malformed: 0 })
    expect(report.index.storedKeyId).toBe(report.index.currentKeyId)
    expect(report.index.toRecompute).toBe(0)
    const rotate = await run('app/cli/keys.ts', ['rotate'])
    expect(rotate.status, rotate.stderr).toBe(0)
    expect(rotate.stderr).toContain('0 values sealed again')
    expect(rotate.stdout).toContain('Everything is sealed under the current key and suite.')
  })

  it('says in one line that a database does not exist, without the password', async () => {
    const url = new URL(env.DATABASE_URL as string)
    url.pathname = '/no_such_database'
    const missing = await run('app/cli/migrate.ts', [], { DATABASE_URL: url.toString() })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(
      /^PostgreSQL at 127\.0\.0\.1:\d+\/no_such_database did not answer: database "no_such_database" does not exist\.\n$/,
    )
  })
})
