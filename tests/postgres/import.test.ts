import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { type FileReport, importFiles } from '~db/import/import-files'
import { ImportRefusedError } from '~db/import/import-target'
import { findMemberByEmail, findMemberByMemberId } from '~db/member-accounts'
import { normaliseEmail, normaliseIdentifier } from '~db/normalise'
import { createPortalCrypto } from '~db/portal-crypto'
import { openPostgres } from '~db/postgres/client'
import { IMPORT_LOCK, importFilesIntoPostgres } from '~db/postgres/import-target'
import { unsealJson } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { cardContext, subjectRecordContext } from '~db/subject-record'
import { type GeneratedExport, generateMessyExport } from '../support/generated-export'
import { openMigratedDatabase } from '../support/migrated-database'
import { type MigratedPostgres, migratedPostgres } from '../support/migrated-postgres'
import { testSecrets } from '../support/secrets'

/**
 * npm run import on PostgreSQL (rows by COPY, a transaction a chunk): a
 * generated messy export imported into a scratch PostgreSQL database and into
 * a SQLite file gives the same report, the same rows by their blind indexes,
 * the same records opened and the same people found; importing it again
 * changes nothing on either, and a changed record is updated on both alike.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

let generated: GeneratedExport
let workDirectory: string
let sqlite: SqliteDatabase
let postgres: MigratedPostgres
let pool: pg.Pool
const reports: Record<'sqlite' | 'postgres', { first: FileReport[]; second: FileReport[] }> = {
  sqlite: { first: [], second: [] },
  postgres: { first: [], second: [] },
}
let postgresAfterFirst: Awaited<ReturnType<typeof storedRows>>
let sqliteAfterFirst: Awaited<ReturnType<typeof storedRows>>

/** Every row the import writes, keyed by what it is (blind indexes), not by the IDs it happened to get. */
async function storedRows(query: (sql: string) => Promise<Record<string, unknown>[]>) {
  const hex = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value)
  const subjects = await query(
    `select s.id, s.cohort, s.natural_id_index, s.email_index, s.phone_index, s.kana_birth_index,
       s.exposed_categories, s.record_sealed, s.cohort_from, s.cohort_until,
       h.cohort as human_cohort, h.natural_id_index as human_natural_id_index,
       (select count(*) from member_accounts a where a.subject_id = s.id) as accounts,
       (select count(*) from member_required_actions r where r.subject_id = s.id) as actions
     from subjects s join subjects h on h.id = s.human_id`,
  )
  const cards = await query(
    `select c.id, s.natural_id_index as member_id_index, c.card_index, c.card_sealed
     from stored_cards c join subjects s on s.id = c.subject_id`,
  )
  return {
    subjects: subjects
      .map((row) => ({
        cohort: row.cohort,
        naturalIdIndex: hex(row.natural_id_index),
        emailIndex: hex(row.email_index),
        phoneIndex: hex(row.phone_index),
        kanaBirthIndex: hex(row.kana_birth_index),
        exposedCategories: Number(row.exposed_categories),
        cohortFrom: row.cohort_from === null ? null : Number(row.cohort_from),
        cohortUntil: row.cohort_until === null ? null : Number(row.cohort_until),
        human: `${row.human_cohort}:${hex(row.human_natural_id_index)}`,
        accounts: Number(row.accounts),
        actions: Number(row.actions),
        record: unsealJson({
          keyring: crypto.keyring,
          context: subjectRecordContext(Number(row.id)),
          sealed: row.record_sealed as Buffer,
        }),
      }))
      .sort((a, b) => `${a.cohort}:${a.naturalIdIndex}`.localeCompare(`${b.cohort}:${b.naturalIdIndex}`)),
    cards: cards
      .map((row) => ({
        member: hex(row.member_id_index),
        cardIndex: hex(row.card_index),
        card: unsealJson({
          keyring: crypto.keyring,
          context: cardContext(Number(row.id)),
          sealed: row.card_sealed as Buffer,
        }),
      }))
      .sort((a, b) => `${a.member}:${a.cardIndex}`.localeCompare(`${b.member}:${b.cardIndex}`)),
    // The sealed bytes themselves, to tell "unchanged" from "sealed again".
    sealed: subjects.map((row) => `${row.id}:${hex(row.record_sealed)}`).sort(),
  }
}

const sqliteRows = () =>
  storedRows(async (sql) => sqlite.$client.prepare(sql).all() as Record<string, unknown>[])
const postgresRows = () => storedRows(async (sql) => (await pool.query(sql)).rows)

beforeAll(async () => {
  // Seed 'g': its deliberate bad rows reach members, buyers and cards (see tests/cli/import-generated.test.ts).
  generated = await generateMessyExport({ members: 1200, seed: 'g', demo: false })
  workDirectory = mkdtempSync(join(tmpdir(), 'portal-import-postgres-'))
  sqlite = openMigratedDatabase(join(workDirectory, 'portal.db'))
  postgres = await migratedPostgres('import')
  pool = openPostgres(postgres.url, { connections: 2 }).$client
  const intoPostgres = (tuning: { workerThresholdBytes?: number; chunkBytes?: number } = {}) =>
    importFilesIntoPostgres({ url: postgres.url, crypto, paths: [generated.dir], ...tuning })
  reports.sqlite.first = (await importFiles({ db: sqlite, crypto, paths: [generated.dir] })).files
  sqliteAfterFirst = await sqliteRows()
  // The first run on worker threads in small chunks, the second on this thread: both ways are checked.
  reports.postgres.first = (await intoPostgres({ workerThresholdBytes: 0, chunkBytes: 16 * 1024 })).files
  postgresAfterFirst = await postgresRows()
  reports.sqlite.second = (await importFiles({ db: sqlite, crypto, paths: [generated.dir] })).files
  reports.postgres.second = (await intoPostgres()).files
}, 120_000)

afterAll(async () => {
  sqlite?.$client.close()
  await pool?.end()
  await postgres?.remove()
  rmSync(workDirectory, { recursive: true, force: true })
  rmSync(generated.dir, { recursive: true, force: true })
})

describe('a generated export imported into PostgreSQL and into SQLite', () => {
  it('reports the same records, counts and rejects, line for line', () => {
    expect(reports.postgres.first).toEqual(reports.sqlite.first)
    const total = (field: 'inserted' | 'rejected') =>
      reports.postgres.first.reduce((sum, file) => sum + file[field], 0)
    expect(total('inserted')).toBeGreaterThan(1500)
    expect(total('rejected')).toBeGreaterThan(0)
  })

  it('stores the same rows: blind indexes, records, humans, accounts, actions and cards', async () => {
    const [fromSqlite, fromPostgres] = [sqliteAfterFirst, postgresAfterFirst]
    expect(fromPostgres.subjects.length).toBe(fromSqlite.subjects.length)
    expect(fromPostgres.subjects).toEqual(fromSqlite.subjects)
    expect(fromPostgres.cards).toEqual(fromSqlite.cards)
    // Buyers who share a member's phone number are that member's human, on both.
    const linked = fromPostgres.subjects.filter(
      (subject) => subject.cohort === 'auction_buyer' && subject.human.startsWith('member:'),
    )
    expect(linked.length).toBeGreaterThan(20)
  })

  it('finds the same members by member ID and by e-mail address', async () => {
    const portals: Record<'sqlite' | 'postgres', PortalDatabase> = {
      sqlite: sqlitePortalDatabase(sqlite),
      postgres: postgres.db,
    }
    const naturalIdOf = async (db: PortalDatabase, humanId: number) => {
      const { rows } =
        db === postgres.db
          ? await pool.query('select natural_id_index from subjects where id = $1', [humanId])
          : {
              rows: [
                sqlite.$client.prepare('select natural_id_index from subjects where id = ?').get(humanId),
              ],
            }
      return (rows[0] as { natural_id_index: Buffer }).natural_id_index.toString('hex')
    }
    let found = 0
    for (const { fields } of generated.records.members.slice(0, 300)) {
      const memberId = normaliseIdentifier(fields.member_id ?? '') ?? ''
      const email = normaliseEmail(fields.email ?? '')
      const outcome = async (db: PortalDatabase) => {
        const byId = await findMemberByMemberId(db, crypto.lookup('member-id', memberId))
        const byEmail = email ? await findMemberByEmail(db, crypto.lookup('email', email)) : undefined
        return {
          byId: byId && (await naturalIdOf(db, byId.humanId)),
          byEmail: byEmail && (await naturalIdOf(db, byEmail.humanId)),
        }
      }
      const onPostgres = await outcome(portals.postgres)
      expect(onPostgres, memberId).toEqual(await outcome(portals.sqlite))
      if (onPostgres.byId) found++
    }
    expect(found).toBeGreaterThan(250)
  })
})

describe('the same export imported again', () => {
  it('reports every row unchanged on both, as SQLite does', () => {
    expect(reports.postgres.second).toEqual(reports.sqlite.second)
    for (const [index, file] of reports.postgres.second.entries()) {
      const first = reports.postgres.first[index] as FileReport
      expect(file, file.file).toEqual({
        ...first,
        inserted: 0,
        updated: 0,
        unchanged: first.inserted + first.updated + first.unchanged,
      })
    }
  })

  it('writes nothing on PostgreSQL: the same rows and the same sealed bytes', async () => {
    expect(await postgresRows()).toEqual(postgresAfterFirst)
  })

  it('updates a changed record on both alike, keeping the row and its account', async () => {
    const changed = generated.records.members.find(
      ({ fields }) => normaliseIdentifier(fields.member_id ?? '') && fields.given_name,
    )?.fields as Record<string, string>
    const unchanged = generated.records.members.at(-1)?.fields as Record<string, string>
    const columns = Object.keys(changed)
    const line = (fields: Record<string, string>) =>
      columns.map((column) => `"${(fields[column] ?? '').replaceAll('"', '""')}"`).join(',')
    const file = join(workDirectory, 'members.csv')
    writeFileSync(
      file,
      `${columns.join(',')}\n${line({ ...changed, given_name: '改名' })}\n${line(unchanged)}\n`,
    )
    const onSqlite = (await importFiles({ db: sqlite, crypto, paths: [file] })).files
    const onPostgres = (await importFilesIntoPostgres({ url: postgres.url, crypto, paths: [file] })).files
    expect(onPostgres).toEqual(onSqlite)
    expect(onPostgres[0]).toMatchObject({ records: 2, inserted: 0, updated: 1, unchanged: 1, rejected: 0 })
    const after = await postgresRows()
    expect(after.subjects).toEqual((await sqliteRows()).subjects)
    const renamed = after.subjects.filter(
      (subject) => (subject.record as { givenName?: string }).givenName === '改名',
    )
    expect(renamed).toHaveLength(1)
    expect(renamed[0]).toMatchObject({ accounts: 1, actions: 2 })
    expect(after.subjects.length).toBe(postgresAfterFirst.subjects.length)
  })
})

describe('an import into PostgreSQL stopped part-way', () => {
  it('keeps the chunks it wrote, and a second run ends where one run would have', async () => {
    const database = await migratedPostgres('import_stopped')
    const stoppedPool = openPostgres(database.url, { connections: 1 }).$client
    try {
      let chunks = 0
      const stopAfterThreeChunks = {
        start: () => {},
        advance: (_bytes: number, records: number) => {
          if (records > 0 && ++chunks === 3) throw new Error('stopped')
        },
        finish: () => {},
      }
      const run = (progress?: typeof stopAfterThreeChunks) =>
        importFilesIntoPostgres({
          url: database.url,
          crypto,
          paths: [generated.dir],
          chunkBytes: 16 * 1024,
          progress,
        })
      await expect(run(stopAfterThreeChunks)).rejects.toThrow('stopped')
      const count = async (table: string) =>
        Number((await stoppedPool.query(`select count(*) as n from ${table}`)).rows[0].n)
      // Whole chunks only: every member written has its account and both of its actions.
      const written = await count('subjects')
      expect(written).toBeGreaterThan(0)
      expect(written).toBeLessThan(sqliteAfterFirst.subjects.length)
      expect(await count('member_accounts')).toBe(written)
      expect(await count('member_required_actions')).toBe(2 * written)

      const resumed = (await run()).files
      expect(
        resumed.map(({ file, records, rejected, errors }) => ({ file, records, rejected, errors })),
      ).toEqual(
        reports.sqlite.first.map(({ file, records, rejected, errors }) => ({
          file,
          records,
          rejected,
          errors,
        })),
      )
      const members = resumed.find((file) => file.kind === 'members') as FileReport
      expect(members.unchanged).toBeGreaterThanOrEqual(written)
      const rows = await storedRows(async (sql) => (await stoppedPool.query(sql)).rows)
      expect(rows.subjects).toEqual(sqliteAfterFirst.subjects)
      expect(rows.cards).toEqual(sqliteAfterFirst.cards)
    } finally {
      await stoppedPool.end()
      await database.remove()
    }
  })
})

describe('two imports into one PostgreSQL database', () => {
  it('refuses the second while the first holds the database, writing nothing', async () => {
    const database = await migratedPostgres('import_refused')
    const other = openPostgres(database.url, { connections: 1 }).$client
    try {
      // An import under way elsewhere holds the import lock for as long as it runs.
      const holder = await other.connect()
      await holder.query('select pg_advisory_lock($1)', [IMPORT_LOCK])
      await expect(
        importFilesIntoPostgres({ url: database.url, crypto, paths: [generated.dir] }),
      ).rejects.toBeInstanceOf(ImportRefusedError)
      expect(Number((await holder.query('select count(*) as n from subjects')).rows[0].n)).toBe(0)
      await holder.query('select pg_advisory_unlock($1)', [IMPORT_LOCK])
      holder.release()
      const { files } = await importFilesIntoPostgres({ url: database.url, crypto, paths: [generated.dir] })
      expect(files).toEqual(reports.sqlite.first)
    } finally {
      await other.end()
      await database.remove()
    }
  })
})
