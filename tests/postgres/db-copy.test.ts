import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closePostgres, openPostgres, type PostgresDatabase } from '~db/postgres/client'
import { copySqliteToPostgres } from '~db/postgres/copy-from-sqlite'
import { portalTableNames } from '~db/sqlite-tables'
import { type NotifiedPopulation, notifiedPopulation, runPortalCommand } from '../support/notified-population'
import { scratchPostgresDatabase } from '../support/postgres-database'

/**
 * npm run db:copy: a notified population's SQLite file (members, notices,
 * the outbox, tallies, the audit log; some sessions and limit counters with
 * byte keys added) moved into PostgreSQL, compared table by table and row by
 * row; stopped half-way and run again; and the command itself.
 */

let population: NotifiedPopulation
let source: Database.Database

beforeAll(async () => {
  population = await notifiedPopulation({ count: 1200 })
  const db = new Database(population.databasePath)
  const now = Date.now()
  const session = db.prepare(
    `insert into sessions (id_hash, kind, human_id, challenge, created_at, last_seen_at, expires_at)
     values (?, 'customer', null, null, ?, ?, ?)`,
  )
  const counter = db.prepare(
    `insert into rate_limit_counters (bucket, key_index, window_start, count) values ('checks-per-ip', ?, ?, ?)`,
  )
  for (let i = 0; i < 450; i++) {
    session.run(randomBytes(32), now, now, now + 3_600_000)
    counter.run(randomBytes(16), now - (now % 900_000), i + 1)
  }
  db.close()
  source = new Database(population.databasePath, { readonly: true })
}, 120_000)

afterAll(() => {
  source?.close()
  population?.remove()
})

const sourceTables = () => portalTableNames(source)

function keyOf(table: string) {
  return (
    source.prepare('select name, pk from pragma_table_xinfo(?) where pk > 0 order by pk').all(table) as {
      name: string
    }[]
  ).map((column) => `"${column.name}"`)
}

/** Every table of the copy equals the source's, row for row and value for value. */
async function expectSameRows(target: PostgresDatabase) {
  let compared = 0
  for (const table of sourceTables()) {
    const order = keyOf(table).join(', ')
    const expected = source.prepare(`select * from "${table}" order by ${order}`).all()
    const { rows } = await target.$client.query(`select * from "${table}" order by ${order}`)
    expect(rows, table).toEqual(expected)
    compared += expected.length
  }
  return compared
}

describe('copying a SQLite deployment into PostgreSQL', () => {
  it('copies every table row for row, tallies not counted twice, and identities carry on after the copy', async () => {
    const database = await scratchPostgresDatabase('db_copy')
    const target = openPostgres(database.url, { pipeline: false })
    try {
      const report = await copySqliteToPostgres({ source, target, chunkRows: 200 })
      expect(report.resumed).toBe(false)
      const compared = await expectSameRows(target)
      expect(report.tables.reduce((sum, { rows }) => sum + rows, 0)).toBe(compared)
      expect(report.tables.find(({ table }) => table === 'subjects')?.rows).toBe(1200)
      // The notes of how far the copy got are gone with the copy done.
      const { rows: notes } = await target.$client.query("select to_regclass('portal_copy_progress') as name")
      expect(notes[0].name).toBeNull()
      // A new row takes the next number after the copied ones.
      const highest = source.prepare('select max(id) from messages').pluck().get() as number
      const { rows: added } = await target.$client.query(
        `insert into messages (reference_index, human_id, channel, purpose)
         select $1::bytea, human_id, 'email', 'email_code' from messages limit 1 returning id`,
        [randomBytes(16)],
      )
      expect(added[0].id).toBe(highest + 1)
      await expect(copySqliteToPostgres({ source, target })).rejects.toThrow(/already holds data/)
    } finally {
      await closePostgres(target)
      await database.drop()
    }
  })

  it('goes on from its last chunk when stopped half-way and run again', async () => {
    const database = await scratchPostgresDatabase('db_copy_resumed')
    const target = openPostgres(database.url, { pipeline: false })
    try {
      let chunks = 0
      await expect(
        copySqliteToPostgres({
          source,
          target,
          chunkRows: 100,
          onProgress: ({ table, copied }) => {
            if (table === 'subjects' && copied > 0 && ++chunks === 4) throw new Error('killed')
          },
        }),
      ).rejects.toThrow('killed')
      const { rows } = await target.$client.query('select count(*)::int as n from subjects')
      expect(rows[0].n).toBe(400)
      const report = await copySqliteToPostgres({ source, target, chunkRows: 100 })
      expect(report.resumed).toBe(true)
      await expectSameRows(target)
    } finally {
      await closePostgres(target)
      await database.drop()
    }
  })
})

describe('npm run db:copy', () => {
  const run = (args: string[]) =>
    runPortalCommand('app/cli/db-copy.ts', {
      cwd: population.directory,
      env: { PATH: process.env.PATH ?? '' },
      args,
    })

  it('copies a file and says how much, refuses a second copy into the same database, and names what is wrong', async () => {
    const database = await scratchPostgresDatabase('db_copy_command')
    try {
      const copied = await run(['--from', population.databasePath, '--to', database.url])
      expect(copied.status, copied.stderr).toBe(0)
      expect(copied.stdout).toMatch(
        /^Copied: [\d,]+ rows in \d+ tables into 127\.0\.0\.1:\d+\/db_copy_command_\w+ in [\d.]+ s; every table's count matches the source\.\n$/,
      )
      const again = await run(['--from', population.databasePath, '--to', database.url])
      expect(again.status).toBe(1)
      expect(again.stderr).toMatch(
        /^The copy stopped: PostgreSQL already holds data \(\w+\): copy into an empty database\.\n$/,
      )
    } finally {
      await database.drop()
    }
    const missing = await run([
      '--from',
      join(population.directory, 'nothing.db'),
      '--to',
      'postgres://127.0.0.1/x',
    ])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^There is no SQLite file at /)
    const notPostgres = await run(['--from', population.databasePath, '--to', 'mysql://127.0.0.1/x'])
    expect(notPostgres.status).toBe(2)
  })

  it('refuses a file a portal is serving', async () => {
    writeFileSync(`${population.databasePath}.serving`, JSON.stringify({ pid: process.pid }))
    try {
      const refused = await run(['--from', population.databasePath, '--to', 'postgres://127.0.0.1/x'])
      expect(refused.status).toBe(1)
      expect(refused.stderr).toMatch(
        /is serving .*: copy a backup of it \(npm run backup -- FILE\), or stop the portal first\./,
      )
    } finally {
      rmSync(`${population.databasePath}.serving`, { force: true })
    }
  })
})
