import type pg from 'pg'
import { categoryBit } from '../exposure-categories'
import type { PreparedSubject } from '../import/prepare'
import { sameSubject, type WriteCounts } from '../import/subject-versions'
import { movedTo, type StoredSubject } from '../import/subject-writer'
import { INITIAL_ACTIONS } from '../member-required-actions'
import type { Keyring } from '../seal'
import { advanceIdentity, copyRows, inChunkTransaction, POSTGRES_NOW_MS, stagingTable } from './import-copy'

/**
 * Imported subjects written to PostgreSQL, a chunk at a time, to the same rows
 * and with the same counts as the SQLite writer (import/subject-writer.ts),
 * which takes the rows one by one. Here the chunk goes into a staging table
 * by COPY; one statement inserts the first row of every natural ID not stored
 * yet, with a new member's account and initial required actions beside it.
 * Only the rest (a re-import, or an ID twice in the chunk) is read back and
 * compared in the clear, in file order, as the SQLite writer does row by row.
 *
 * The pool must come from `openPostgres` (client.ts): its type parsers give
 * numbers as SQLite does, which the comparison relies on.
 */

const CARD_BIT = categoryBit('card')
const STAGING = 'import_subjects'
const STAGED_COLUMNS = [
  'position',
  'id',
  'cohort',
  'natural_id_index',
  'email_index',
  'phone_index',
  'kana_birth_index',
  'exposed_categories',
  'record_sealed',
  'cohort_from',
  'cohort_until',
]
const STAGING_TABLE = stagingTable(
  STAGING,
  `position integer not null, id bigint not null, cohort text not null,
  natural_id_index bytea not null, email_index bytea, phone_index bytea, kana_birth_index bytea,
  exposed_categories integer not null, record_sealed bytea not null, cohort_from bigint, cohort_until bigint`,
)

// The first of each natural ID in the chunk that is not stored yet; every new member gets an
// account and its initial actions in the same statement (the foreign keys are checked at its end).
const INSERT_NEW = `
  with inserted as (
    insert into subjects (id, human_id, cohort, natural_id_index, email_index, phone_index, kana_birth_index,
      exposed_categories, record_sealed, cohort_from, cohort_until)
    select distinct on (cohort, natural_id_index) id, id, cohort, natural_id_index, email_index, phone_index,
      kana_birth_index, exposed_categories, record_sealed, cohort_from, cohort_until
    from ${STAGING} order by cohort, natural_id_index, position
    on conflict (cohort, natural_id_index) do nothing
    returning id, cohort),
  accounts as (
    insert into member_accounts (subject_id) select id from inserted where cohort = 'member'
    returning subject_id),
  actions as (
    insert into member_required_actions (subject_id, action)
    select subject_id, initial.action from accounts cross join unnest($1::text[]) as initial (action))
  select id from inserted`

// The stored version of every natural ID among the given staged rows.
const STORED_VERSIONS = `
  select s.id, s.cohort, s.natural_id_index as "naturalIdIndex", s.record_sealed as "recordSealed",
    s.cohort_from as "cohortFrom", s.cohort_until as "cohortUntil",
    case when a.password_hash is not null then 1 else 0 end as "newPasswordSet"
  from subjects s left join member_accounts a on a.subject_id = s.id
  where (s.cohort, s.natural_id_index) in
    (select cohort, natural_id_index from ${STAGING} where position = any($1::integer[]))`

// A stored subject's new version; the card category, which only cards set, is kept.
const UPDATE_CHANGED = `
  update subjects set email_index = changed.email_index, phone_index = changed.phone_index,
    kana_birth_index = changed.kana_birth_index,
    exposed_categories = changed.exposed_categories | (subjects.exposed_categories & ${CARD_BIT}),
    record_sealed = changed.record_sealed, cohort_from = changed.cohort_from,
    cohort_until = changed.cohort_until, updated_at = ${POSTGRES_NOW_MS}
  from unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::integer[], $6::bytea[],
    $7::bigint[], $8::bigint[])
    as changed (id, email_index, phone_index, kana_birth_index, exposed_categories, record_sealed,
      cohort_from, cohort_until)
  where subjects.id = changed.id`

export function createPostgresSubjectWriter(pool: pg.Pool, { keyring }: { keyring: Keyring }) {
  const writeBatch = async (batch: PreparedSubject[]): Promise<WriteCounts> => {
    if (batch.length === 0) return { inserted: 0, updated: 0, unchanged: 0 }
    return inChunkTransaction(pool, STAGING_TABLE, async (client) => {
      await copyRows(
        client,
        STAGING,
        STAGED_COLUMNS,
        batch.map((subject, position) => [
          position,
          subject.id,
          subject.cohort,
          subject.naturalIdIndex,
          subject.emailIndex,
          subject.phoneIndex,
          subject.kanaBirthIndex,
          subject.exposedCategories,
          subject.recordSealed,
          subject.cohortFrom,
          subject.cohortUntil,
        ]),
      )
      const inserted = (await client.query<{ id: number }>(INSERT_NEW, [INITIAL_ACTIONS])).rows.map((row) =>
        Number(row.id),
      )
      if (inserted.length > 0) await advanceIdentity(client, 'subjects', Math.max(...inserted))
      const insertedIds = new Set(inserted)
      const others = batch.flatMap((subject, position) => (insertedIds.has(subject.id) ? [] : [position]))
      const versions =
        others.length > 0 ? await writeVersions(client, keyring, batch, others) : { updated: 0, unchanged: 0 }
      return { inserted: inserted.length, ...versions }
    })
  }
  return { writeBatch }
}

/**
 * The rows at `positions` are new versions of stored subjects (or of a row
 * earlier in the chunk): each is compared with the version before it, in
 * order, and the last changed version of each subject is written.
 */
async function writeVersions(
  client: pg.PoolClient,
  keyring: Keyring,
  batch: PreparedSubject[],
  positions: number[],
): Promise<Omit<WriteCounts, 'inserted'>> {
  const stored = (await client.query<StoredSubject>(STORED_VERSIONS, [positions])).rows
  const current = new Map<string, StoredSubject>()
  for (const row of stored) {
    current.set(naturalKey(row.cohort, row.naturalIdIndex), { ...row, id: Number(row.id) })
  }
  const changed = new Map<string, PreparedSubject>()
  let updated = 0
  let unchanged = 0
  for (const position of positions) {
    const subject = batch[position] as PreparedSubject
    const key = naturalKey(subject.cohort, subject.naturalIdIndex)
    const found = current.get(key)
    if (!found) throw new Error('an imported subject was neither inserted nor found stored')
    const incoming = movedTo(keyring, subject, found)
    if (sameSubject(keyring, found, incoming)) {
      unchanged++
      continue
    }
    updated++
    current.set(key, { ...incoming, newPasswordSet: found.newPasswordSet })
    changed.set(key, incoming)
  }
  if (changed.size > 0) {
    const versions = [...changed.values()]
    await client.query(UPDATE_CHANGED, [
      versions.map((version) => version.id),
      versions.map((version) => version.emailIndex),
      versions.map((version) => version.phoneIndex),
      versions.map((version) => version.kanaBirthIndex),
      versions.map((version) => version.exposedCategories),
      versions.map((version) => version.recordSealed),
      versions.map((version) => version.cohortFrom),
      versions.map((version) => version.cohortUntil),
    ])
  }
  return { updated, unchanged }
}

function naturalKey(cohort: string, naturalIdIndex: Uint8Array) {
  return `${cohort}:${Buffer.from(naturalIdIndex).toString('hex')}`
}
