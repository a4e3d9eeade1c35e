import { randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { withBulkLoad } from '~db/bulk-load'
import { openDatabase } from '~db/client'
import type { PreparedSubject } from '~db/import/prepare'
import { createSubjectWriter } from '~db/import/subject-writer'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto } from '~db/portal-crypto'
import { sealJson } from '~db/seal'
import { subjectRecordContext } from '~db/subject-record'

/**
 * The least an import of this machine's members can cost: only the work the
 * portal may not skip (four blind indexes and one seal a row, the
 * inserts, the index builds), with reading, parsing and validating taken as
 * free. Sealing spreads over every core; writes and index builds do not.
 */
const SAMPLE = 100_000
const BATCH = 2000

async function sampleRows(membersFile: string) {
  const rows: string[][] = []
  const lines = createInterface({ input: createReadStream(membersFile) })
  for await (const line of lines) {
    if (rows.length > SAMPLE) break
    rows.push(line.split(','))
  }
  lines.close()
  return rows.slice(1)
}

function secondsPerRow(started: number) {
  return (performance.now() - started) / 1000 / SAMPLE
}

export async function importFloor(membersFile: string) {
  const rows = await sampleRows(membersFile)
  const crypto = createPortalCrypto({
    dataKey: randomBytes(32).toString('base64'),
    indexKey: randomBytes(32).toString('base64'),
  })
  let started = performance.now()
  const prepared: PreparedSubject[] = rows.map((row, position) => {
    const [id = '', , , , familyKana = '', , birthDate = '', , email = '', phone = ''] = row
    const naturalIdIndex = crypto.index('member-id', id)
    return {
      id: position + 1,
      cohort: 'member',
      naturalIdIndex,
      emailIndex: crypto.index('email', email),
      phoneIndex: crypto.index('phone', phone),
      kanaBirthIndex: crypto.index('kana-birth', `${familyKana}|${birthDate}`),
      exposedCategories: 127,
      recordSealed: sealJson({
        keyring: crypto.keyring,
        context: subjectRecordContext(position + 1),
        value: row,
      }),
      cohortFrom: null,
      cohortUntil: null,
    }
  })
  const sealing = secondsPerRow(started)

  const directory = mkdtempSync(join(tmpdir(), 'bench-floor-'))
  const db = openDatabase(join(directory, 'floor.db'))
  migrateDatabase(db)
  let writing = 0
  let indexing = 0
  await withBulkLoad({ db, keyring: crypto.keyring }, async (bulk) => {
    const writer = createSubjectWriter(db, { keyring: crypto.keyring, bulk: bulk.active })
    started = performance.now()
    for (let i = 0; i < prepared.length; i += BATCH) writer.writeBatch(prepared.slice(i, i + BATCH))
    writing = secondsPerRow(started)
    started = performance.now()
    bulk.settle()
    indexing = secondsPerRow(started)
  })
  db.$client.close()
  rmSync(directory, { recursive: true, force: true })
  const cores = availableParallelism()
  const perRow = Math.max(sealing / cores, writing) + indexing
  return { sealing, writing, indexing, cores, rate: 1 / perRow }
}
