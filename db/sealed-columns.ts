import { noteContext as caseNoteContext } from './case-notes'
import { type PortalDatabase, prepared } from './database'
import { reasonTextContext } from './identity-confirmations'
import { detailsContext as memberDetailsContext, pendingEmailContext } from './member-accounts'
import { reprintRowContext } from './notice-resends'
import {
  letterCodeContext,
  messageAddressContext,
  messageReferenceContext,
  outboxContentContext,
} from './notifications'
import { photoContext, detailsContext as returnDraftContext } from './return-drafts'
import { noteContext as returnNoteContext, detailsContext as returnRequestContext } from './return-requests'
import { SEAL_SUITES, type SealSuite } from './seal'
import { enrolmentContext } from './staff-factors'
import {
  emailContext as staffEmailContext,
  nameContext as staffNameContext,
  totpSecretContext,
} from './staff-members'
import { cardContext, subjectRecordContext } from './subject-record'

/**
 * Every column that holds sealed values, the one list `npm run keys:status`
 * counts and `npm run keys:rotate` walks (a test holds it to the schema: a new
 * `*_sealed` column must be listed here), each with what its values are bound
 * to: `context` is given the row's `key` column and, where the binding needs
 * it, its `also` column.
 */
export const SEALED_COLUMNS = [
  {
    table: 'subjects',
    column: 'record_sealed',
    key: 'id',
    context: (id: number) => subjectRecordContext(id),
  },
  {
    table: 'member_accounts',
    column: 'details_sealed',
    key: 'subject_id',
    context: (subjectId: number) => memberDetailsContext(subjectId),
  },
  {
    table: 'member_accounts',
    column: 'pending_email_sealed',
    key: 'subject_id',
    context: (subjectId: number) => pendingEmailContext(subjectId),
  },
  { table: 'stored_cards', column: 'card_sealed', key: 'id', context: (id: number) => cardContext(id) },
  {
    table: 'messages',
    column: 'address_sealed',
    key: 'id',
    context: (id: number) => messageAddressContext(id),
  },
  {
    table: 'messages',
    column: 'reference_sealed',
    key: 'id',
    context: (id: number) => messageReferenceContext(id),
  },
  {
    table: 'notifications',
    column: 'letter_code_sealed',
    key: 'id',
    also: 'message_id',
    context: (_id: number, messageId: number) => letterCodeContext(messageId),
  },
  {
    table: 'outbox_messages',
    column: 'content_sealed',
    key: 'id',
    also: 'message_id',
    context: (id: number, messageId: number | null) => outboxContentContext({ id, messageId }),
  },
  {
    table: 'printer_reprints',
    column: 'row_sealed',
    key: 'id',
    also: 'message_id',
    context: (_id: number, messageId: number) => reprintRowContext(messageId),
  },
  {
    table: 'staff_members',
    column: 'email_sealed',
    key: 'id',
    context: (id: string) => staffEmailContext(id),
  },
  { table: 'staff_members', column: 'name_sealed', key: 'id', context: (id: string) => staffNameContext(id) },
  {
    table: 'staff_members',
    column: 'totp_secret_sealed',
    key: 'id',
    context: (id: string) => totpSecretContext(id),
  },
  {
    table: 'staff_sessions',
    column: 'totp_enrolment_sealed',
    key: 'id_hash',
    also: 'staff_id',
    context: (_idHash: Buffer, staffId: string) => enrolmentContext(staffId),
  },
  { table: 'case_notes', column: 'note_sealed', key: 'id', context: (id: string) => caseNoteContext(id) },
  {
    table: 'identity_confirmations',
    column: 'reason_text_sealed',
    key: 'id',
    context: (id: string) => reasonTextContext(id),
  },
  {
    table: 'return_drafts',
    column: 'details_sealed',
    key: 'id',
    context: (id: number) => returnDraftContext(id),
  },
  {
    table: 'return_requests',
    column: 'details_sealed',
    key: 'id',
    also: 'reference',
    context: (_id: number, reference: string) => returnRequestContext(reference),
  },
  {
    table: 'return_events',
    column: 'note_sealed',
    key: 'id',
    context: (id: string) => returnNoteContext(id),
  },
  { table: 'return_photos', column: 'photo_sealed', key: 'id', context: (id: string) => photoContext(id) },
] as const satisfies readonly SealedColumnBinding[]

/** A row's key and `also` column come from the database untyped: each column's `context` knows its own. */
type SealedColumnBinding = {
  table: string
  column: string
  key: string
  also?: string
  // biome-ignore lint/suspicious/noExplicitAny: each entry types its own arguments; see above.
  context: (key: any, also: any) => string
}

export type SealedColumn = (typeof SEALED_COLUMNS)[number]

/** How many values of one column are sealed under one suite and key. */
export type SealedValueCount = {
  table: string
  column: string
  /** Undefined for bytes that are no sealed value (none should be). */
  suite: SealSuite | undefined
  keyId: number
  values: number
}

/**
 * Counts every sealed value by column, suite and key ID, from the three
 * bytes each value starts with: one pass over each table, nothing opened.
 * The bytes are read as they are and put in hex here, which either backend
 * gives the same way (SQLite's `hex()` is its own).
 */
export async function sealedValueCounts(db: PortalDatabase): Promise<SealedValueCount[]> {
  const counts: SealedValueCount[] = []
  for (const { table, column } of SEALED_COLUMNS) {
    const heads = await prepared<{ head: Uint8Array | string; count: number }>(
      db,
      `select substr(${column}, 1, 3) as head, count(*) as count
       from ${table} where ${column} is not null group by substr(${column}, 1, 3)`,
    ).all()
    for (const { head, count } of heads) {
      // Text where bytes belong is no sealed value either: its own bytes say so.
      const hex = Buffer.from(head).toString('hex')
      const version = Number.parseInt(hex.slice(0, 2), 16)
      counts.push({
        table,
        column,
        suite: version in SEAL_SUITES ? (version as SealSuite) : undefined,
        keyId: Number.parseInt(hex.slice(2, 6) || '0', 16),
        values: count,
      })
    }
  }
  return counts
}
