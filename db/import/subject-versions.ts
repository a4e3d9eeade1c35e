import type { Cohort } from '../schema'
import { type Keyring, unseal } from '../seal'
import { subjectRecordContext } from '../subject-record'

/**
 * How the importer tells a new version of a subject from the stored one, and
 * how it counts what it wrote.
 */

export type WriteCounts = { inserted: number; updated: number; unchanged: number }

/**
 * One version of a subject as stored or about to be: enough to tell whether two
 * say the same. Not a `Subject` pick: times are epoch milliseconds here, as the
 * hand-written SQL reads and writes them, where drizzle's `timestamp_ms` gives Dates.
 */
export type SubjectVersion = {
  id: number
  cohort: Cohort
  naturalIdIndex: Uint8Array
  recordSealed: Uint8Array
  cohortFrom: number | null
  cohortUntil: number | null
}

/**
 * Whether two versions of a record say the same. Compared in the clear: a
 * keyed MAC of every record would cost each first import more than decrypting
 * the few records a re-import meets.
 */
export function sameSubject(keyring: Keyring, a: SubjectVersion, b: SubjectVersion) {
  const open = ({ id, recordSealed }: SubjectVersion) =>
    unseal({ keyring, context: subjectRecordContext(id), sealed: recordSealed }).toString('utf8')
  return a.cohortFrom === b.cohortFrom && a.cohortUntil === b.cohortUntil && open(a) === open(b)
}

/** Columns of a stored subject under the names of SubjectVersion. */
export const SUBJECT_VERSION_COLUMNS = `s.id, s.cohort, s.natural_id_index as naturalIdIndex, s.record_sealed as recordSealed,
  s.cohort_from as cohortFrom, s.cohort_until as cohortUntil`
