import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportDirectory, MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { portalCommand } from '../support/portal-command'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from '../support/postgres-database'
import { testSecrets } from '../support/secrets'

/**
 * npm run import with DATABASE_URL=postgres://…: the command migrates the
 * database, imports by COPY and reports as it does on SQLite; run again it
 * reports every record unchanged.
 */

const importCommand = portalCommand('app/cli/import.ts')
const secrets = testSecrets()
let database: ScratchPostgresDatabase

beforeAll(async () => {
  database = await scratchPostgresDatabase('import_command')
})

afterAll(async () => {
  await database?.drop()
})

function runImport(directory: string, args: string[]) {
  return spawnSync(importCommand.command, [...importCommand.args, ...args], {
    cwd: directory,
    env: {
      ...importCommand.env,
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      ...secrets,
    },
    encoding: 'utf8',
    timeout: 120_000,
  })
}

describe('npm run import on PostgreSQL', () => {
  it('imports, reports rejected records, and finds everything unchanged the second time', () => {
    const directory = exportDirectory()
    writeCsv(join(directory, 'members.csv'), [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', email: 'm1@example.jp' }),
      member({ member_id: 'M2', gender: '4' }),
      member({ member_id: 'M3' }),
    ])
    const report = (inserted: number, unchanged: number) => ({
      files: [
        {
          file: 'members.csv',
          kind: 'members',
          records: 3,
          inserted,
          updated: 0,
          unchanged,
          rejected: 1,
          errors: [{ record: 2, line: 3, field: 'gender', reason: 'not an ISO/IEC 5218 code (0, 1, 2, 9)' }],
        },
      ],
    })
    const first = runImport(directory, ['--json', directory])
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual(report(2, 0))
    const second = runImport(directory, ['--json', directory])
    expect(second.status).toBe(0)
    expect(JSON.parse(second.stdout)).toEqual(report(0, 2))
  })

  it('exits non-zero with one line for a file it cannot import', () => {
    const directory = exportDirectory()
    writeCsv(join(directory, 'warehouse_staff.csv'), [['staff_id'], ['W1']])
    const result = runImport(directory, [directory])
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(
      'Import stopped: warehouse_staff.csv: missing required column family_name, given_name',
    )
  })
})
