import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { createBlindIndexer } from '~db/blind-index'
import { exportDirectory, MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { portalCommand } from '../support/portal-command'
import { testSecrets } from '../support/secrets'

const importCommand = portalCommand('app/cli/import.ts')

function environment(directory: string) {
  return {
    ...importCommand.env,
    PATH: process.env.PATH,
    NODE_ENV: 'test' as const,
    DATABASE_URL: join(directory, 'portal.db'),
    ...testSecrets(),
  }
}

function runImport(directory: string, env: NodeJS.ProcessEnv, args: string[]) {
  return spawnSync(importCommand.command, [...importCommand.args, ...args], {
    cwd: directory,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  })
}

function membersFile(directory: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) =>
    member({ member_id: `M${i}`, email: `m${i}@example.jp` }),
  )
  return writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, ...rows])
}

describe('npm run import', () => {
  it('prints one JSON object with --json and exits 0 despite rejected records', () => {
    const directory = exportDirectory()
    writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'M1' }),
      member({ member_id: 'M2', gender: '4' }),
    ])
    const result = runImport(directory, environment(directory), ['--json', directory])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      files: [
        {
          file: 'members.csv',
          kind: 'members',
          records: 2,
          inserted: 1,
          updated: 0,
          unchanged: 0,
          rejected: 1,
          errors: [{ record: 2, line: 3, field: 'gender', reason: 'not an ISO/IEC 5218 code (0, 1, 2, 9)' }],
        },
      ],
    })
  })

  it('exits non-zero with one line for a file it cannot import, writing nothing', () => {
    const directory = exportDirectory()
    const env = environment(directory)
    writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, member({ member_id: 'M1' })])
    writeCsv(join(directory, 'warehouse_staff.csv'), [['staff_id'], ['W1']])
    const result = runImport(directory, env, [directory])
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(
      'Import stopped: warehouse_staff.csv: missing required column family_name, given_name',
    )
    const db = new Database(env.DATABASE_URL, { readonly: true })
    expect(db.prepare('select count(*) from subjects').pluck().get()).toBe(0)
    db.close()
  })

  it('says how to call it when no file is given', () => {
    const directory = exportDirectory()
    const result = runImport(directory, environment(directory), [])
    expect(result.status).toBe(2)
    expect(result.stderr.trim()).toBe('usage: npm run import -- [--json] <directory or files…>')
  })

  it('leaves no half-written batch when killed, and a second run completes the import', async () => {
    const directory = exportDirectory()
    const env = environment(directory)
    const total = 60_000
    membersFile(directory, total)
    const child = spawn(importCommand.command, [...importCommand.args, '--json', directory], {
      cwd: directory,
      env,
    })
    const killed = new Promise((resolve) => child.once('exit', resolve))
    const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number
    await expect
      .poll(
        () => {
          try {
            const db = new Database(env.DATABASE_URL, { readonly: true, fileMustExist: true })
            const written = count(db, 'select count(*) from subjects')
            db.close()
            return written
          } catch {
            return 0
          }
        },
        { timeout: 60_000, interval: 20 },
      )
      .toBeGreaterThan(0)
    child.kill('SIGKILL')
    await killed

    const db = new Database(env.DATABASE_URL)
    const members = count(db, 'select count(*) from subjects')
    expect(members).toBeLessThan(total)
    // Chunks are written whole and in file order: what is there is every member of the file
    // up to some point, each with its account.
    expect(count(db, 'select count(*) from member_accounts')).toBe(members)
    const index = createBlindIndexer(env.PORTAL_INDEX_KEY)
    const stored = db
      .prepare("select count(*) from subjects where cohort = 'member' and natural_id_index = ?")
      .pluck()
    const written = Array.from({ length: members }, (_, i) => stored.get(index('member-id', `M${i}`)))
    expect(written.every((found) => found === 1)).toBe(true)
    db.close()

    const rerun = runImport(directory, env, ['--json', directory])
    expect(rerun.stderr).toBe('')
    expect(rerun.status).toBe(0)
    const [report] = JSON.parse(rerun.stdout).files
    expect(report).toMatchObject({
      records: total,
      inserted: total - members,
      unchanged: members,
      rejected: 0,
    })
    const after = new Database(env.DATABASE_URL, { readonly: true })
    expect(count(after, 'select count(*) from subjects')).toBe(total)
    after.close()
  })
})
