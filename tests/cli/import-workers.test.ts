import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type SqliteDatabase } from '~db/client'
import { type FileReport, importFiles } from '~db/import/import-files'
import { listOpenActions } from '~db/member-required-actions'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto } from '~db/portal-crypto'
import type { Cohort } from '~db/schema'
import { unsealJson } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { subjectRecordContext } from '~db/subject-record'
import { type GeneratedExport, generateMessyExport } from '../support/generated-export'
import { testSecrets } from '../support/secrets'

/**
 * The same messy export imported on the main thread and by worker threads in
 * small chunks (so that chunks interleave between workers): the reports and
 * the stored rows must be the same.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })

let generated: GeneratedExport
let directory: string
const databases: SqliteDatabase[] = []
let onMainThread: FileReport[]
let onWorkers: FileReport[]

async function importInto(name: string, tuning: { workerThresholdBytes: number; chunkBytes: number }) {
  const db = openDatabase(join(directory, name))
  databases.push(db)
  migrateDatabase(db)
  return { db, files: (await importFiles({ db, crypto, paths: [generated.dir], ...tuning })).files }
}

/** Every subject, its record opened, and its account and cards, in ID order. */
async function contents(db: SqliteDatabase) {
  const subjects = db.$client
    .prepare(`select id, human_id, cohort, hex(natural_id_index) as naturalId, hex(email_index) as email,
        hex(phone_index) as phone, hex(kana_birth_index) as kanaBirth, exposed_categories, record_sealed,
        cohort_from, cohort_until from subjects order by id`)
    .all() as ({ cohort: Cohort; naturalId: string; record_sealed?: Buffer } & Record<string, unknown>)[]
  return {
    subjects: subjects.map(({ record_sealed, ...subject }) => ({
      ...subject,
      record: unsealJson({
        keyring: crypto.keyring,
        context: subjectRecordContext(subject.id as number),
        sealed: record_sealed as Buffer,
      }),
    })),
    accounts: await Promise.all(
      (db.$client.prepare('select subject_id from member_accounts order by 1').pluck().all() as number[]).map(
        async (subjectId) => ({
          subjectId,
          openActions: await listOpenActions(sqlitePortalDatabase(db), subjectId),
        }),
      ),
    ),
    cards: db.$client.prepare('select subject_id, hex(card_index) from stored_cards order by 1, 2').all(),
  }
}

/** Later rows with the IDs of earlier ones, chunks apart: five the same, five with a new given name. */
function repeatSomeMembersAtTheEnd(path: string) {
  const [header = '', ...lines] = readFileSync(path, 'utf8').split(/\r?\n/)
  const givenName = header
    .replace(/^\uFEFF/, '')
    .split(',')
    .indexOf('given_name')
  const plain = lines.filter((line) => line !== '' && !line.includes('"')).slice(0, 10)
  const repeated = plain.map((line, i) => {
    if (i % 2 === 0) return line
    const fields = line.split(',')
    fields[givenName] = '改名'
    return fields.join(',')
  })
  appendFileSync(path, `${repeated.join('\r\n')}\r\n`)
}

let mainDb: SqliteDatabase
let workersDb: SqliteDatabase

beforeAll(async () => {
  generated = await generateMessyExport({ members: 2000, seed: 'w', demo: false })
  repeatSomeMembersAtTheEnd(join(generated.dir, 'members.csv'))
  directory = mkdtempSync(join(tmpdir(), 'portal-import-workers-'))
  const main = await importInto('main.db', {
    workerThresholdBytes: Number.POSITIVE_INFINITY,
    chunkBytes: 16_384,
  })
  const workers = await importInto('workers.db', { workerThresholdBytes: 0, chunkBytes: 16_384 })
  mainDb = main.db
  onMainThread = main.files
  workersDb = workers.db
  onWorkers = workers.files
})

afterAll(() => {
  for (const db of databases) db.$client.close()
  rmSync(directory, { recursive: true, force: true })
  rmSync(generated.dir, { recursive: true, force: true })
})

describe('an import on worker threads', () => {
  it('reports the same records, counts and errors, in file order, as one on the main thread', () => {
    expect(onWorkers).toEqual(onMainThread)
    const members = onWorkers.find((file) => file.kind === 'members')
    expect(members?.rejected).toBeGreaterThan(0)
    expect(members?.updated).toBeGreaterThan(0)
    expect(members?.unchanged).toBeGreaterThan(0)
  })

  it('stores the same rows under the same IDs, the later of two equal IDs winning', async () => {
    const fromWorkers = await contents(workersDb)
    expect(fromWorkers.subjects.length).toBeGreaterThan(2000)
    expect(fromWorkers).toEqual(await contents(mainDb))
  })
})
