import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  bigint,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS, AUDIT_OUTCOMES, AUDIT_TARGET_KINDS } from '../audit-vocabulary'
import { RETURN_EVENT_KINDS, RETURN_REASONS, RETURN_STATUSES } from '../return-vocabulary'
import {
  COHORTS,
  IDENTITY_CONFIRMATION_REASONS,
  MESSAGE_CHANNELS,
  MESSAGE_PURPOSES,
  NOTIFICATION_STATES,
  OUTBOX_PRIORITIES,
  OUTBOX_STATES,
  PRINTER_ROW_KINDS,
  PROGRESS_STEPS,
  REQUIRED_ACTIONS,
  STAFF_MEMBER_ROLES,
  STAFF_SESSION_FACTORS,
} from '../schema'
import { bytea, integerBoolean, jsonText, timestampMs } from './column-types'

/**
 * The portal's data on PostgreSQL: a mirror of db/schema.ts, table for table,
 * column for column, index for index. That file stays the one place to read
 * what the data means; this one says only how PostgreSQL holds the same
 * thing, and a test compares the two so that neither changes alone.
 * drizzle-kit writes db/postgres/migrations from it; the triggers and the rows
 * a new database needs are in the hand-written migration after the first.
 *
 * Values are stored as SQLite stores them, so that raw SQL and a copy behave
 * the same on both backends: moments are milliseconds in a `bigint`, flags 0
 * or 1, JSON the text it was written as (column-types.ts). Every ID, foreign
 * key and sequence is a `bigint`, SQLite's integers being 64-bit; `integer`
 * holds only counts and codes that are small by nature.
 */

// Milliseconds, as SQLite's `cast(unixepoch('subsec') * 1000 as integer)`: when the statement ran
// (not `now()`, when its transaction began), the fraction cut off rather than rounded.
const now = sql`floor(extract(epoch from statement_timestamp()) * 1000)::bigint`

const createdAt = () => timestampMs('created_at').notNull().default(now)
const updatedAt = () => timestampMs('updated_at').notNull().default(now)
// By default rather than always: the importer and a copy from SQLite write IDs of their own.
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity()
const int64 = (name: string) => bigint(name, { mode: 'number' })
const digest = (name: string) => bytea(name)

export {
  COHORTS,
  type Cohort,
  IDENTITY_CONFIRMATION_REASONS,
  type IdentityConfirmationReason,
  MESSAGE_CHANNELS,
  MESSAGE_PURPOSES,
  type MessageChannel,
  type MessagePurpose,
  NOTIFICATION_STATES,
  OUTBOX_PRIORITIES,
  OUTBOX_STATES,
  type OutboxPriority,
  type OutboxState,
  PRINTER_ROW_KINDS,
  PROGRESS_STEPS,
  type PrinterRowKind,
  type ProgressStep,
  REQUIRED_ACTIONS,
  type RequiredAction,
  STAFF_MEMBER_ROLES,
  STAFF_SESSION_FACTORS,
  type StaffMemberRole,
} from '../schema'

export const portalMeta = pgTable('portal_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const subjects = pgTable(
  'subjects',
  {
    id: id(),
    humanId: int64('human_id')
      .notNull()
      .references((): AnyPgColumn => subjects.id),
    cohort: text('cohort', { enum: COHORTS }).notNull(),
    naturalIdIndex: digest('natural_id_index').notNull(),
    emailIndex: digest('email_index'),
    phoneIndex: digest('phone_index'),
    kanaBirthIndex: digest('kana_birth_index'),
    // A bit set of a handful of categories.
    exposedCategories: integer('exposed_categories').notNull(),
    recordSealed: bytea('record_sealed').notNull(),
    cohortFrom: timestampMs('cohort_from'),
    cohortUntil: timestampMs('cohort_until'),
    language: text('language', { enum: ['ja', 'en'] })
      .notNull()
      .default('ja'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('subjects_natural_id').on(table.cohort, table.naturalIdIndex),
    index('subjects_email').on(table.emailIndex),
    index('subjects_phone').on(table.phoneIndex),
    index('subjects_kana_birth').on(table.kanaBirthIndex),
    index('subjects_human').on(table.humanId),
    index('subjects_cohort_human').on(table.cohort, table.humanId, table.exposedCategories),
  ],
)

export const memberAccounts = pgTable(
  'member_accounts',
  {
    subjectId: int64('subject_id')
      .primaryKey()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    passwordHash: text('password_hash'),
    passwordChangedAt: timestampMs('password_changed_at'),
    detailsSealed: bytea('details_sealed'),
    emailIndex: digest('email_index'),
    pendingEmailSealed: bytea('pending_email_sealed'),
    detailsConfirmedAt: timestampMs('details_confirmed_at'),
    readyAt: timestampMs('ready_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('member_accounts_email').on(table.emailIndex),
    index('member_accounts_password_changed')
      .on(table.passwordChangedAt)
      .where(sql`password_changed_at is not null`),
    index('member_accounts_details_confirmed')
      .on(table.detailsConfirmedAt)
      .where(sql`details_confirmed_at is not null`),
    index('member_accounts_ready').on(table.readyAt).where(sql`ready_at is not null`),
  ],
)

// SQLite makes this a WITHOUT ROWID table; PostgreSQL has no such table, only the heap and its key.
export const memberRequiredActions = pgTable(
  'member_required_actions',
  {
    subjectId: int64('subject_id').notNull(),
    action: text('action', { enum: REQUIRED_ACTIONS }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.subjectId, table.action] }),
    // Named here: the name drizzle-kit would make is past PostgreSQL's 63 characters and cut short.
    foreignKey({
      name: 'member_required_actions_subject_id_fk',
      columns: [table.subjectId],
      foreignColumns: [memberAccounts.subjectId],
    }).onDelete('cascade'),
  ],
)

export const detailConfirmations = pgTable(
  'detail_confirmations',
  {
    id: id(),
    subjectId: int64('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    changedFields: jsonText('changed_fields').$type<string[]>().notNull(),
    confirmedAt: timestampMs('confirmed_at').notNull(),
  },
  (table) => [index('detail_confirmations_subject').on(table.subjectId)],
)

export const storedCards = pgTable(
  'stored_cards',
  {
    id: id(),
    subjectId: int64('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    cardIndex: digest('card_index').notNull(),
    cardSealed: bytea('card_sealed').notNull(),
    removedAt: timestampMs('removed_at'),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('stored_cards_card').on(table.subjectId, table.cardIndex)],
)

export const messages = pgTable(
  'messages',
  {
    id: id(),
    referenceIndex: digest('reference_index').notNull(),
    humanId: int64('human_id')
      .notNull()
      .references(() => subjects.id),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    purpose: text('purpose', { enum: MESSAGE_PURPOSES }).notNull(),
    addressSealed: bytea('address_sealed'),
    referenceSealed: bytea('reference_sealed'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('messages_reference').on(table.referenceIndex),
    index('messages_human').on(table.humanId),
  ],
)

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    humanId: int64('human_id')
      .notNull()
      .references(() => subjects.id),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    messageId: int64('message_id')
      .notNull()
      .references(() => messages.id),
    state: text('state', { enum: NOTIFICATION_STATES }).notNull().default('issued'),
    letterCodeIndex: digest('letter_code_index'),
    letterCodeSealed: bytea('letter_code_sealed'),
    letterCodeUsedAt: timestampMs('letter_code_used_at'),
    letterCodeFailures: integer('letter_code_failures').notNull().default(0),
    letterCodeLockedAt: timestampMs('letter_code_locked_at'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('notifications_human').on(table.humanId),
    uniqueIndex('notifications_letter_code').on(table.letterCodeIndex),
    index('notifications_state_channel').on(table.state, table.channel, table.createdAt),
    index('notifications_letter_code_used')
      .on(table.letterCodeUsedAt, table.humanId)
      .where(sql`letter_code_used_at is not null`),
  ],
)

export const letterCodeUses = pgTable(
  'letter_code_uses',
  {
    id: id(),
    notificationId: int64('notification_id')
      .notNull()
      .references(() => notifications.id),
    usedAt: timestampMs('used_at').notNull(),
  },
  (table) => [index('letter_code_uses_notification').on(table.notificationId, table.usedAt)],
)

export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: id(),
    messageId: int64('message_id').references(() => messages.id),
    contentSealed: bytea('content_sealed'),
    state: text('state', { enum: OUTBOX_STATES }).notNull().default('pending'),
    priority: integer('priority').notNull().default(OUTBOX_PRIORITIES.bulk),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestampMs('next_attempt_at').notNull().default(now),
    leaseUntil: timestampMs('lease_until'),
    lastError: text('last_error'),
    sentAt: timestampMs('sent_at'),
    createdAt: createdAt(),
  },
  (table) => [index('outbox_due').on(table.state, table.priority, table.nextAttemptAt)],
)

export const verificationChallenges = pgTable(
  'verification_challenges',
  {
    id: id(),
    type: text('type').notNull(),
    targetIndex: digest('target_index').notNull(),
    codeHash: digest('code_hash').notNull(),
    failures: integer('failures').notNull().default(0),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    expiresAt: timestampMs('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('verification_target').on(table.type, table.targetIndex),
    index('verification_expiry').on(table.expiresAt),
  ],
)

export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    bucket: text('bucket').notNull(),
    keyIndex: digest('key_index').notNull(),
    windowStart: timestampMs('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.bucket, table.keyIndex, table.windowStart] }),
    index('rate_limit_counters_window').on(table.windowStart),
  ],
)

export const sessions = pgTable(
  'sessions',
  {
    idHash: digest('id_hash').primaryKey(),
    kind: text('kind', { enum: ['customer', 'staff'] }).notNull(),
    humanId: int64('human_id').references(() => subjects.id),
    challenge: text('challenge'),
    createdAt: createdAt(),
    lastSeenAt: timestampMs('last_seen_at').notNull().default(now),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (table) => [index('sessions_human').on(table.humanId)],
)

/**
 * Append-only as on SQLite: the second migration's triggers refuse UPDATE and
 * DELETE. `sequence` is given by the append, never generated: the chain
 * numbers itself from its head row.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    sequence: int64('sequence').primaryKey(),
    at: timestampMs('at').notNull(),
    actorKind: text('actor_kind', { enum: AUDIT_ACTOR_KINDS }).notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    targetKind: text('target_kind', { enum: AUDIT_TARGET_KINDS }),
    targetId: text('target_id'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    clientIpIndex: digest('client_ip_index'),
    // Text, not jsonb: the hash covers these exact bytes, keys sorted.
    detail: text('detail').notNull(),
    previousHash: digest('previous_hash').notNull(),
    hash: digest('hash').notNull(),
  },
  (table) => [
    index('audit_log_actor').on(table.actorKind, table.actorId, table.sequence),
    index('audit_log_action').on(table.action, table.sequence),
    index('audit_log_target').on(table.targetKind, table.targetId, table.sequence),
    index('audit_log_at').on(table.at),
  ],
)

/** Its one row (id 1) is made by the second migration; appends lock it with SELECT … FOR UPDATE. */
export const auditChainHead = pgTable('audit_chain_head', {
  id: int64('id').primaryKey(),
  lastSequence: int64('last_sequence').notNull(),
  lastHash: digest('last_hash').notNull(),
})

// ── Return requests (section 5 of the notice) ─────────────────────────────

export {
  RETURN_EVENT_KINDS,
  RETURN_REASONS,
  RETURN_STATUSES,
  type ReturnEventKind,
  type ReturnReason,
  type ReturnStatus,
} from '../return-vocabulary'

export const returnDrafts = pgTable('return_drafts', {
  id: id(),
  tokenHash: digest('token_hash').notNull().unique(),
  emailIndex: digest('email_index'),
  detailsSealed: bytea('details_sealed'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  expiresAt: timestampMs('expires_at').notNull(),
})

export const returnRequests = pgTable(
  'return_requests',
  {
    id: id(),
    reference: text('reference').notNull().unique(),
    humanId: int64('human_id').references(() => subjects.id),
    emailIndex: digest('email_index').notNull(),
    reason: text('reason', { enum: RETURN_REASONS }).notNull(),
    status: text('status', { enum: RETURN_STATUSES }).notNull().default('new'),
    detailsSealed: bytea('details_sealed').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('return_requests_human').on(table.humanId),
    index('return_requests_queue').on(table.status, table.createdAt),
    index('return_requests_email').on(table.emailIndex),
  ],
)

export const returnPhotos = pgTable(
  'return_photos',
  {
    id: text('id').primaryKey(),
    draftId: int64('draft_id').references(() => returnDrafts.id, { onDelete: 'cascade' }),
    requestId: int64('request_id').references(() => returnRequests.id),
    mediaType: text('media_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    // An accepted photo is a few megabytes at most.
    byteLength: integer('byte_length').notNull(),
    photoSealed: bytea('photo_sealed').notNull(),
    createdAt: createdAt(),
    // Numbered from SQLite's rowid by its migration, so an ID's range.
    arrival: int64('arrival').notNull().default(0),
  },
  (table) => [
    index('return_photos_draft').on(table.draftId),
    index('return_photos_request').on(table.requestId),
  ],
)

export const returnEvents = pgTable(
  'return_events',
  {
    id: text('id').primaryKey(),
    requestId: int64('request_id')
      .notNull()
      .references(() => returnRequests.id),
    kind: text('kind', { enum: RETURN_EVENT_KINDS }).notNull(),
    status: text('status', { enum: RETURN_STATUSES }),
    staffId: text('staff_id'),
    noteSealed: bytea('note_sealed'),
    createdAt: createdAt(),
    arrival: int64('arrival').notNull().default(0),
  },
  (table) => [index('return_events_request').on(table.requestId, table.createdAt)],
)

// ── Staff accounts and their second factors ───────────────────────────────

export const staffMembers = pgTable(
  'staff_members',
  {
    id: text('id').primaryKey(),
    emailIndex: digest('email_index').notNull(),
    emailSealed: bytea('email_sealed').notNull(),
    nameSealed: bytea('name_sealed').notNull(),
    role: text('role', { enum: STAFF_MEMBER_ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    enrolmentPasswordHash: text('enrolment_password_hash').notNull(),
    passwordMustChange: integerBoolean('password_must_change').notNull().default(sql`1`),
    enrolmentExpiresAt: timestampMs('enrolment_expires_at'),
    passwordChangedAt: timestampMs('password_changed_at'),
    disabledAt: timestampMs('disabled_at'),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: timestampMs('locked_until'),
    totpSecretSealed: bytea('totp_secret_sealed'),
    // Unix time in 30-second steps: small today, but nothing bounds what a copy brings.
    totpLastStep: int64('totp_last_step'),
    passkeysRequired: integerBoolean('passkeys_required').notNull().default(sql`0`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('staff_members_email').on(table.emailIndex)],
)

export const staffRecoveryCodes = pgTable(
  'staff_recovery_codes',
  {
    id: id(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    codeHash: digest('code_hash').notNull(),
    usedAt: timestampMs('used_at'),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('staff_recovery_codes_code').on(table.staffId, table.codeHash)],
)

export const staffPasskeys = pgTable(
  'staff_passkeys',
  {
    id: id(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    credentialId: bytea('credential_id').notNull(),
    publicKey: bytea('public_key').notNull(),
    // WebAuthn's signature counter is unsigned 32-bit: past an `integer`'s range.
    counter: int64('counter').notNull().default(0),
    transports: jsonText('transports').$type<string[]>(),
    createdAt: createdAt(),
    lastUsedAt: timestampMs('last_used_at'),
  },
  (table) => [
    uniqueIndex('staff_passkeys_credential').on(table.credentialId),
    index('staff_passkeys_staff').on(table.staffId),
  ],
)

export const staffSessions = pgTable(
  'staff_sessions',
  {
    idHash: digest('id_hash').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    factor: text('factor', { enum: STAFF_SESSION_FACTORS }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestampMs('last_seen_at').notNull().default(now),
    expiresAt: timestampMs('expires_at').notNull(),
    secondFactorAt: timestampMs('second_factor_at'),
    totpEnrolmentSealed: bytea('totp_enrolment_sealed'),
    webauthnChallenge: text('webauthn_challenge'),
  },
  (table) => [index('staff_sessions_staff').on(table.staffId)],
)

export type StaffMemberRow = typeof staffMembers.$inferSelect
export type NewStaffMemberRow = typeof staffMembers.$inferInsert
export type StaffRecoveryCode = typeof staffRecoveryCodes.$inferSelect
export type StaffPasskey = typeof staffPasskeys.$inferSelect

// ── end of staff accounts ──────────────────────────────────────────────────

export const caseNotes = pgTable(
  'case_notes',
  {
    id: text('id').primaryKey(),
    humanId: int64('human_id').notNull(),
    staffId: text('staff_id').notNull(),
    noteSealed: bytea('note_sealed').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('case_notes_human').on(table.humanId, table.createdAt)],
)

export type CaseNoteRow = typeof caseNotes.$inferSelect

export const identityConfirmations = pgTable(
  'identity_confirmations',
  {
    id: text('id').primaryKey(),
    humanId: int64('human_id').notNull(),
    staffId: text('staff_id').notNull(),
    reason: text('reason', { enum: IDENTITY_CONFIRMATION_REASONS }).notNull(),
    reasonTextSealed: bytea('reason_text_sealed'),
    expiresAt: timestampMs('expires_at').notNull(),
    usedAt: timestampMs('used_at'),
    createdAt: createdAt(),
  },
  (table) => [index('identity_confirmations_human').on(table.humanId, table.expiresAt)],
)

export const printerReprints = pgTable(
  'printer_reprints',
  {
    id: id(),
    messageId: int64('message_id')
      .notNull()
      .references(() => messages.id),
    kind: text('kind', { enum: PRINTER_ROW_KINDS }).notNull(),
    rowSealed: bytea('row_sealed'),
    writtenAt: timestampMs('written_at'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('printer_reprints_message').on(table.messageId),
    index('printer_reprints_waiting').on(table.id).where(sql`written_at is null`),
  ],
)

/**
 * Kept by the triggers of the second migration, which do what migration 0017's
 * do on SQLite. A day is a Japan day number, days since 1970-01-01 at +09:00.
 */
export const humanSteps = pgTable(
  'human_steps',
  {
    humanId: int64('human_id').notNull(),
    step: text('step', { enum: PROGRESS_STEPS }).notNull(),
    day: integer('day').notNull(),
  },
  (table) => [primaryKey({ columns: [table.humanId, table.step] })],
)

export const progressTallies = pgTable(
  'progress_tallies',
  {
    series: text('series').notNull(),
    day: integer('day').notNull(),
    tally: integer('tally').notNull(),
  },
  (table) => [primaryKey({ columns: [table.series, table.day] })],
)

export const sealRebindings = pgTable('seal_rebindings', {
  sealedColumn: text('sealed_column').primaryKey(),
  // The last row key done: an ID.
  afterKey: int64('after_key').notNull().default(0),
})

export type Subject = typeof subjects.$inferSelect
export type NewSubject = typeof subjects.$inferInsert
export type MemberAccountRow = typeof memberAccounts.$inferSelect
export type StoredCard = typeof storedCards.$inferSelect
export type Notification = typeof notifications.$inferSelect
export type Message = typeof messages.$inferSelect
export type OutboxMessage = typeof outboxMessages.$inferSelect
export type VerificationChallenge = typeof verificationChallenges.$inferSelect
export type Session = typeof sessions.$inferSelect
export type PortalMeta = typeof portalMeta.$inferSelect
export type AuditLogRow = typeof auditLog.$inferSelect
