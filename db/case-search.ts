import type { LookupDigests } from './blind-index'
import { type SqliteDatabase, sqliteStatement } from './client'
import type { Cohort } from './schema'

/**
 * Finding a caller's case from what they can say, through the blind indexes
 * only: each key kind is one lookup on one indexed digest column, so a search
 * never scans and never matches part of a value. The lookup is
 * `in (:current, :previous)`, the typed value's digests under the current
 * index key and the previous one, so a record is found whether or not a
 * rotation has recomputed its digest yet. What comes back is human IDs (a
 * case is a human, the ID their linked records share); opening the records is
 * the caller's business.
 */

/** What staff can search by, and where the importer or notify run put its digest. */
export type CaseKey =
  | { kind: 'email'; digests: LookupDigests }
  | { kind: 'phone'; digests: LookupDigests }
  | { kind: 'natural-id'; cohort: Cohort; digests: LookupDigests }
  | { kind: 'kana-birth'; digests: LookupDigests }
  | { kind: 'letter-code'; digests: LookupDigests }
  | { kind: 'message-ref'; digests: LookupDigests }

/**
 * More than this many people behind one key (a shared family phone, say) is
 * shown as "too many": the caller is asked for something more specific, and
 * no long list of strangers is put on a screen.
 */
export const CASE_SEARCH_LIMIT = 20

export const CASE_SEARCH_QUERIES: Record<CaseKey['kind'], string> = {
  // The exposed address, or the one a member confirmed since (member_accounts.email_index).
  email: `
    select human_id from subjects where email_index in (:current, :previous)
    union
    select s.human_id from member_accounts a join subjects s on s.id = a.subject_id
    where a.email_index in (:current, :previous)`,
  phone: 'select distinct human_id from subjects where phone_index in (:current, :previous)',
  'natural-id':
    'select distinct human_id from subjects where cohort = :cohort and natural_id_index in (:current, :previous)',
  'kana-birth': 'select distinct human_id from subjects where kana_birth_index in (:current, :previous)',
  // A dead code (replaced by a resent notice) has no digest any more: it finds no one.
  'letter-code': 'select human_id from notifications where letter_code_index in (:current, :previous)',
  'message-ref': 'select human_id from messages where reference_index in (:current, :previous)',
}

/** The humans a key finds, lowest ID first, at most `CASE_SEARCH_LIMIT + 1` (one more says "more"). */
export function findCaseHumanIds(db: SqliteDatabase, key: CaseKey): number[] {
  const [current, previous] = key.digests
  const parameters =
    key.kind === 'natural-id' ? { current, previous, cohort: key.cohort } : { current, previous }
  return sqliteStatement(
    db,
    `select human_id from (${CASE_SEARCH_QUERIES[key.kind]}) order by human_id limit ${CASE_SEARCH_LIMIT + 1}`,
  )
    .pluck()
    .all(parameters) as number[]
}

/** Every e-mail digest a human's records hold: the exposed addresses and any a member confirmed since. */
export function listEmailIndexesOfHuman(db: SqliteDatabase, humanId: number): Buffer[] {
  return sqliteStatement(
    db,
    `select s.email_index from subjects s where s.human_id = ? and s.email_index is not null
     union
     select a.email_index from subjects s join member_accounts a on a.subject_id = s.id
     where s.human_id = ? and a.email_index is not null`,
  )
    .pluck()
    .all(humanId, humanId) as Buffer[]
}
