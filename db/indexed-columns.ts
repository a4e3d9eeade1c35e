import type { BlindIndexer } from './blind-index'
import { cardDigestOf, subjectDigests } from './import/prepare'
import { type MemberDetails, detailsContext as memberDetailsContext } from './member-accounts'
import { normaliseEmail } from './normalise'
import { letterCodeContext, messageReferenceContext } from './notifications'
import {
  type DraftAddressSource,
  draftAddressOf,
  detailsContext as returnDraftContext,
} from './return-drafts'
import { detailsContext as returnRequestContext } from './return-requests'
import type { Cohort } from './schema'
import { type Keyring, unseal, unsealJson } from './seal'
import { emailContext as staffEmailContext } from './staff-members'
import { cardContext, type StoredCardValue, type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * Every stored blind index that a new index key must recompute, and how: each
 * from the sealed value it is a digest of, so no digest needs its old key once
 * a rotation has passed over it. One entry a table: `select` reads a batch of
 * rows after a key (in key order), `digests` gives the update's parameters
 * (the new digests, then the key).
 *
 * Not here, on purpose: e-mail code challenges (`verification_challenges`,
 * minutes long, looked up under both keys meanwhile), rate-limit counters
 * (windows of an hour at most), the audit log's client-IP digests (entries
 * are never rewritten: the hash chain forbids it) and staff recovery codes
 * (only their digests exist; they are accepted under either key while the
 * previous key is configured, and staff can make new ones). Letter codes and
 * message references issued before their sealed copies were kept have no
 * source either: see `unsealedPrintedCodes`.
 */

/** A row as an entry's `select` reads it: its key and what its digests are recomputed from. */
export type IndexedRow = Record<string, unknown> & { key: number | string }

export type IndexedTable = {
  table: string
  select: string
  update: string
  digests: (row: IndexedRow, index: BlindIndexer, keyring: Keyring) => unknown[]
}

/**
 * An address's digest, from its sealed form. Every row read has a digest, so a
 * missing address is a row this table's entry misreads: it stops the rotation,
 * naming the row, rather than erase a digest someone is found by.
 */
const emailDigest = (index: BlindIndexer, email: string | undefined, row: string) => {
  const matched = email === undefined ? undefined : normaliseEmail(email)
  if (matched === undefined) throw new Error(`${row} has no sealed address to recompute its digest from`)
  return index('email', matched)
}

const openJson = <T>(keyring: Keyring, context: string, sealed: unknown) =>
  unsealJson<T>({ keyring, context, sealed: sealed as Buffer })

export const INDEXED_TABLES: IndexedTable[] = [
  {
    table: 'subjects',
    select:
      'select id as key, cohort, record_sealed as sealed from subjects where id > ? order by id limit ?',
    update:
      'update subjects set natural_id_index = ?, email_index = ?, phone_index = ?, kana_birth_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const record = openJson<SubjectRecord>(keyring, subjectRecordContext(row.key as number), row.sealed)
      const digests = subjectDigests(index, row.cohort as Cohort, record)
      return [digests.naturalIdIndex, digests.emailIndex, digests.phoneIndex, digests.kanaBirthIndex, row.key]
    },
  },
  {
    // Only the address a member confirmed since has a digest here; the exposed one is the subject's.
    table: 'member_accounts',
    select: `select subject_id as key, details_sealed as sealed from member_accounts
             where subject_id > ? and email_index is not null order by subject_id limit ?`,
    update: 'update member_accounts set email_index = ? where subject_id = ?',
    digests: (row, index, keyring) => {
      const details = openJson<MemberDetails>(keyring, memberDetailsContext(row.key as number), row.sealed)
      return [emailDigest(index, details.email, `member_accounts ${row.key}`), row.key]
    },
  },
  {
    table: 'stored_cards',
    select: `select c.id as key, c.card_sealed as sealed, s.id as "subjectId", s.record_sealed as record
             from stored_cards c join subjects s on s.id = c.subject_id where c.id > ? order by c.id limit ?`,
    update: 'update stored_cards set card_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const card = openJson<StoredCardValue>(keyring, cardContext(row.key as number), row.sealed)
      const member = openJson<SubjectRecord>(
        keyring,
        subjectRecordContext(row.subjectId as number),
        row.record,
      )
      return [cardDigestOf(index, member.naturalId, card), row.key]
    },
  },
  {
    table: 'messages',
    select: `select id as key, reference_sealed as sealed from messages
             where id > ? and reference_sealed is not null order by id limit ?`,
    update: 'update messages set reference_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const sealed = row.sealed as Buffer
      const reference = unseal({ keyring, context: messageReferenceContext(row.key as number), sealed })
      return [index('message-ref', reference.toString('utf8')), row.key]
    },
  },
  {
    table: 'notifications',
    select: `select id as key, message_id as "messageId", letter_code_sealed as sealed from notifications
             where id > ? and letter_code_sealed is not null order by id limit ?`,
    update: 'update notifications set letter_code_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const sealed = row.sealed as Buffer
      const code = unseal({ keyring, context: letterCodeContext(row.messageId as number), sealed })
      return [index('letter-code', code.toString('utf8')), row.key]
    },
  },
  {
    table: 'staff_members',
    select: 'select id as key, email_sealed as sealed from staff_members where id > ? order by id limit ?',
    update: 'update staff_members set email_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const sealed = row.sealed as Buffer
      const shown = unseal({ keyring, context: staffEmailContext(row.key as string), sealed }).toString(
        'utf8',
      )
      return [index('staff-email', normaliseEmail(shown) ?? shown), row.key]
    },
  },
  {
    table: 'return_requests',
    select: `select id as key, reference, details_sealed as sealed from return_requests
             where id > ? and email_index is not null order by id limit ?`,
    update: 'update return_requests set email_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const details = openJson<{ email?: string }>(
        keyring,
        returnRequestContext(row.reference as string),
        row.sealed,
      )
      return [emailDigest(index, details.email, `return_requests ${row.key}`), row.key]
    },
  },
  {
    // A draft has its digest once its address is in; a day later it is gone anyway.
    table: 'return_drafts',
    select: `select id as key, details_sealed as sealed from return_drafts
             where id > ? and email_index is not null and details_sealed is not null order by id limit ?`,
    update: 'update return_drafts set email_index = ? where id = ?',
    digests: (row, index, keyring) => {
      const details = openJson<DraftAddressSource>(keyring, returnDraftContext(row.key as number), row.sealed)
      return [emailDigest(index, draftAddressOf(details), `return_drafts ${row.key}`), row.key]
    },
  },
]
