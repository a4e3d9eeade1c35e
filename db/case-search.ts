import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import type { Cohort } from './schema'
import type { SqlValue } from './sql-store'

/**
 * Finding a caller's case from what they can say, through the blind indexes
 * only: each key kind is one lookup on one indexed digest column, so a search
 * never scans and never matches part of a value. The lookup is
 * `in (?, ?)`, the typed value's digests under the current index key and the
 * previous one (`caseSearchParameters`), so a record is found whether or not a
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

/**
 * Each kind's lookup, its placeholders filled by `caseSearchParameters`: each
 * `in (?, ?)` takes the current digest and the previous one, and a natural
 * ID's cohort comes first.
 */
export const CASE_SEARCH_QUERIES: Record<CaseKey['kind'], string> = {
  // The exposed address, or the one a member confirmed since (member_accounts.email_index).
  email: `
    select human_id from subjects where email_index in (?, ?)
    union
    select s.human_id from member_accounts a join subjects s on s.id = a.subject_id
    where a.email_index in (?, ?)`,
  phone: 'select distinct human_id from subjects where phone_index in (?, ?)',
  'natural-id': 'select distinct human_id from subjects where cohort = ? and natural_id_index in (?, ?)',
  'kana-birth': 'select distinct human_id from subjects where kana_birth_index in (?, ?)',
  // A dead code (replaced by a resent notice) has no digest any more: it finds no one.
  'letter-code': 'select human_id from notifications where letter_code_index in (?, ?)',
  'message-ref': 'select human_id from messages where reference_index in (?, ?)',
}

/** The values of a key's query (`CASE_SEARCH_QUERIES`), in the order of its placeholders. */
export function caseSearchParameters(key: CaseKey): SqlValue[] {
  const [current, previous] = key.digests
  switch (key.kind) {
    case 'email':
      return [current, previous, current, previous]
    case 'natural-id':
      return [key.cohort, current, previous]
    default:
      return [current, previous]
  }
}

/** The humans a key finds, lowest ID first, at most `CASE_SEARCH_LIMIT + 1` (one more says "more"). */
export async function findCaseHumanIds(db: PortalDatabase, key: CaseKey): Promise<number[]> {
  const rows = await prepared<{ humanId: number }>(
    db,
    `select human_id as "humanId" from (${CASE_SEARCH_QUERIES[key.kind]}) as found
     order by human_id limit ${CASE_SEARCH_LIMIT + 1}`,
  ).all(...caseSearchParameters(key))
  return rows.map((row) => row.humanId)
}

/** Every e-mail digest a human's records hold: the exposed addresses and any a member confirmed since. */
export async function listEmailIndexesOfHuman(db: PortalDatabase, humanId: number): Promise<Buffer[]> {
  const rows = await prepared<{ emailIndex: Buffer }>(
    db,
    `select s.email_index as "emailIndex" from subjects s where s.human_id = ? and s.email_index is not null
     union
     select a.email_index from subjects s join member_accounts a on a.subject_id = s.id
     where s.human_id = ? and a.email_index is not null`,
  ).all(humanId, humanId)
  return rows.map((row) => row.emailIndex)
}
