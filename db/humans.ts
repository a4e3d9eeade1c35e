import { type PortalDatabase, prepared } from './database'
import { categoriesOf, type ExposureCategory } from './exposure-categories'
import type { Cohort } from './schema'
import { type Keyring, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/** One record of a human, opened. */
export type HumanRecord = {
  subjectId: number
  cohort: Cohort
  language: 'ja' | 'en'
  categories: ExposureCategory[]
  record: SubjectRecord
}

export type Human = { humanId: number; records: HumanRecord[] }

// Under the SQL column names the hand-written select returns, not the schema's camelCase `Subject`.
type SubjectRow = {
  id: number
  human_id: number
  cohort: Cohort
  language: 'ja' | 'en'
  natural_id_index: Buffer
  exposed_categories: number
  record_sealed: Buffer
}

/**
 * Humans no notification was made for yet, in ID order after `afterHumanId`:
 * page by page, so a run over millions keeps its memory flat.
 */
export async function findHumansToNotify(
  db: PortalDatabase,
  keyring: Keyring,
  { afterHumanId, limit }: { afterHumanId: number; limit: number },
): Promise<Human[]> {
  const rows = await prepared<SubjectRow>(
    db,
    `
      select s.id, s.human_id, s.cohort, s.language, s.natural_id_index, s.exposed_categories, s.record_sealed
      from subjects s
      where s.human_id in (
        select h.human_id from subjects h
        where h.human_id > ? and not exists (select 1 from notifications n where n.human_id = h.human_id)
        group by h.human_id order by h.human_id limit ?)
      order by s.human_id, s.id`,
  ).all(afterHumanId, limit)
  return groupByHuman(rows, keyring)
}

function groupByHuman(rows: SubjectRow[], keyring: Keyring): Human[] {
  const humans: Human[] = []
  for (const row of rows) {
    const record: HumanRecord = {
      subjectId: row.id,
      cohort: row.cohort,
      language: row.language,
      categories: categoriesOf(row.exposed_categories),
      record: unsealJson<SubjectRecord>({
        keyring,
        context: subjectRecordContext(row.id),
        sealed: row.record_sealed,
      }),
    }
    const last = humans.at(-1)
    if (last?.humanId === row.human_id) last.records.push(record)
    else humans.push({ humanId: row.human_id, records: [record] })
  }
  return humans
}

export async function countHumansToNotify(db: PortalDatabase): Promise<number> {
  const count = await prepared(
    db,
    `
      select count(distinct human_id) from subjects s
      where not exists (select 1 from notifications n where n.human_id = s.human_id)`,
  ).value<number>()
  return count ?? 0
}

/** One human with every record of theirs, opened; undefined when no record has that human ID. */
export async function findHuman(
  db: PortalDatabase,
  keyring: Keyring,
  humanId: number,
): Promise<Human | undefined> {
  const rows = await prepared<SubjectRow>(
    db,
    `
      select s.id, s.human_id, s.cohort, s.language, s.natural_id_index, s.exposed_categories, s.record_sealed
      from subjects s
      where s.human_id = ?
      order by s.id`,
  ).all(humanId)
  return groupByHuman(rows, keyring)[0]
}

/** Whether any record has this human ID: a case that exists. */
export async function humanExists(db: PortalDatabase, humanId: number): Promise<boolean> {
  const row = await prepared(db, 'select 1 from subjects where human_id = ? limit 1').get(humanId)
  return row !== undefined
}
