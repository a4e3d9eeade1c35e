import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPortalCommand } from '../support/notified-population'
import { testSecrets } from '../support/secrets'

/**
 * `npm run backup` and `npm run restore` copy and replace a SQLite file. With
 * DATABASE_URL naming a PostgreSQL server they refuse in one line, pointing to
 * the server's own tools, before connecting to anything (the address here
 * has no server behind it) and without repeating the URL's password.
 */

const PASSWORD = 'backup-refusal-s3cret'
const work = mkdtempSync(join(tmpdir(), 'backup-postgres-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  NODE_ENV: 'test',
  // Port 1 on loopback: nothing listens there, so a command that tried to connect would fail otherwise.
  DATABASE_URL: `postgres://portal:${PASSWORD}@127.0.0.1:1/portal`,
  DATA_DIRECTORY: join(work, 'data'),
  ...testSecrets(),
}

describe('with a PostgreSQL server', () => {
  it('npm run backup refuses, pointing to pg_dump, and writes nothing', async () => {
    const backup = join(work, 'backup.db')
    const result = await runPortalCommand('app/cli/backup.ts', { cwd: work, env, args: [backup] })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Backup refused: .*PostgreSQL.*pg_dump/)
    expect(lines[0]).toContain(join(work, 'data', 'audit-checkpoints.jsonl'))
    expect(result.stderr).not.toContain(PASSWORD)
    expect(existsSync(backup)).toBe(false)
    expect(readdirSync(work)).toEqual([])
  })

  it('npm run restore refuses, pointing to pg_restore, and leaves the backup file as it was', async () => {
    const backup = join(work, 'restore-me.db')
    writeFileSync(backup, 'not read')
    const result = await runPortalCommand('app/cli/restore.ts', { cwd: work, env, args: [backup] })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Restore refused: .*PostgreSQL.*pg_restore/)
    expect(result.stderr).not.toContain(PASSWORD)
    expect(readdirSync(work)).toEqual(['restore-me.db'])
  })
})
