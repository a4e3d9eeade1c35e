import { type PortalDatabase, prepared } from './client'
import { SEAL_SUITES, type SealSuite } from './seal'

/**
 * Every column that holds sealed values, the one list `npm run keys:status`
 * counts and key rotation walks (a test holds it to the schema: a new
 * `*_sealed` column must be listed here).
 */
export const SEALED_COLUMNS = [
  { table: 'subjects', column: 'record_sealed' },
  { table: 'member_accounts', column: 'details_sealed' },
  { table: 'member_accounts', column: 'pending_email_sealed' },
  { table: 'stored_cards', column: 'card_sealed' },
  { table: 'messages', column: 'address_sealed' },
  { table: 'outbox_messages', column: 'content_sealed' },
  { table: 'printer_reprints', column: 'row_sealed' },
  { table: 'staff_members', column: 'email_sealed' },
  { table: 'staff_members', column: 'name_sealed' },
  { table: 'staff_members', column: 'totp_secret_sealed' },
  { table: 'staff_sessions', column: 'totp_enrolment_sealed' },
  { table: 'case_notes', column: 'note_sealed' },
  { table: 'identity_confirmations', column: 'reason_text_sealed' },
  { table: 'return_drafts', column: 'details_sealed' },
  { table: 'return_requests', column: 'details_sealed' },
  { table: 'return_events', column: 'note_sealed' },
  { table: 'return_photos', column: 'photo_sealed' },
] as const

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
 */
export function sealedValueCounts(db: PortalDatabase): SealedValueCount[] {
  return SEALED_COLUMNS.flatMap(({ table, column }) =>
    prepared<{ head: string; count: number }>(
      db,
      `select hex(substr(${column}, 1, 3)) as head, count(*) as count
       from ${table} where ${column} is not null group by head`,
    )
      .all()
      .map(({ head, count }) => {
        const version = Number.parseInt(head.slice(0, 2), 16)
        return {
          table,
          column,
          suite: version in SEAL_SUITES ? (version as SealSuite) : undefined,
          keyId: Number.parseInt(head.slice(2, 6) || '0', 16),
          values: count,
        }
      }),
  )
}
