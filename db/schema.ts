import { sql } from 'drizzle-orm'
import {
  type AnySQLiteColumn,
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS, AUDIT_OUTCOMES, AUDIT_TARGET_KINDS } from './audit-vocabulary'
import { RETURN_EVENT_KINDS, RETURN_REASONS, RETURN_STATUSES } from './return-vocabulary'

/**
 * The portal's data. Every personal value is sealed (AES-GCM, see seal.ts) in a
 * `*_sealed` blob; what must be found is found through `*_index` blind indexes
 * (see blind-index.ts). Nothing personal is stored in the clear.
 *
 * Longer than our other modules on purpose: this is the one place to read the
 * whole data model (tables, keys, indexes, the vocabularies stored in them),
 * as a Prisma schema is in the Epic Stack, and drizzle-kit writes each
 * migration from the difference it makes.
 */

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`

const createdAt = () => integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now)
const updatedAt = () => integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now)
const id = () => integer('id').primaryKey({ autoIncrement: true })
const digest = (name: string) => blob(name, { mode: 'buffer' })

/** Facts about this installation (schema milestones, demo data loaded, …). */
export const portalMeta = sqliteTable('portal_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const COHORTS = ['member', 'auction_buyer', 'employee', 'warehouse_staff'] as const
export type Cohort = (typeof COHORTS)[number]

/**
 * One person-record in one cohort, as the legacy export had it. `record_sealed`
 * holds every personal value of the record as one sealed JSON document;
 * `exposed_categories` is a bit set of what held a value (see exposure.ts).
 */
export const subjects = sqliteTable(
  'subjects',
  {
    id: id(),
    // Records of one human share the ID of one of them (their own, until linked).
    humanId: integer('human_id')
      .notNull()
      .references((): AnySQLiteColumn => subjects.id),
    cohort: text('cohort', { enum: COHORTS }).notNull(),
    naturalIdIndex: digest('natural_id_index').notNull(),
    emailIndex: digest('email_index'),
    phoneIndex: digest('phone_index'),
    kanaBirthIndex: digest('kana_birth_index'),
    exposedCategories: integer('exposed_categories').notNull(),
    recordSealed: blob('record_sealed', { mode: 'buffer' }).notNull(),
    // The dates that put the record in its cohort (registration, first and last purchase).
    cohortFrom: integer('cohort_from', { mode: 'timestamp_ms' }),
    cohortUntil: integer('cohort_until', { mode: 'timestamp_ms' }),
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
    // The dashboard's and the breach report's counts per cohort and category read this index alone.
    index('subjects_cohort_human').on(table.cohort, table.humanId, table.exposedCategories),
  ],
)

/** What a member must do before the shop reopens, in the order they are led through it. */
export const REQUIRED_ACTIONS = ['reset_password', 'reconfirm_details', 'verify_email'] as const
export type RequiredAction = (typeof REQUIRED_ACTIONS)[number]

/**
 * A member's account on the shop, and what it must do before the shop reopens.
 * The subject's record stays what was exposed; what the member confirms or
 * corrects since lives here (`details_sealed`, null while unchanged).
 */
export const memberAccounts = sqliteTable(
  'member_accounts',
  {
    subjectId: integer('subject_id')
      .primaryKey()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    passwordHash: text('password_hash'),
    passwordChangedAt: integer('password_changed_at', { mode: 'timestamp_ms' }),
    detailsSealed: blob('details_sealed', { mode: 'buffer' }),
    // The index of the confirmed e-mail address once it differs from the exposed record's.
    emailIndex: digest('email_index'),
    // A new address waiting for its code; it replaces the old one only when confirmed.
    pendingEmailSealed: blob('pending_email_sealed', { mode: 'buffer' }),
    detailsConfirmedAt: integer('details_confirmed_at', { mode: 'timestamp_ms' }),
    readyAt: integer('ready_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('member_accounts_email').on(table.emailIndex),
    // Partial: the dashboard counts the few that did each step, and an import of a million
    // accounts (all still null) writes nothing to them.
    index('member_accounts_password_changed')
      .on(table.passwordChangedAt)
      .where(sql`password_changed_at is not null`),
    index('member_accounts_details_confirmed')
      .on(table.detailsConfirmedAt)
      .where(sql`details_confirmed_at is not null`),
    index('member_accounts_ready').on(table.readyAt).where(sql`ready_at is not null`),
  ],
)

/**
 * The required actions a member still has open, one row each; none left means
 * ready. Every query asks by member (the account's actions, whether any is
 * open), which the primary key's leading `subject_id` serves. The migration
 * makes it a WITHOUT ROWID table, which drizzle cannot say: the key is the
 * table, one B-tree rather than two, and a million-member import writes two
 * million rows here (a table rebuild must keep the clause).
 */
export const memberRequiredActions = sqliteTable(
  'member_required_actions',
  {
    subjectId: integer('subject_id')
      .notNull()
      .references(() => memberAccounts.subjectId, { onDelete: 'cascade' }),
    action: text('action', { enum: REQUIRED_ACTIONS }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.subjectId, table.action] })],
)

/** Each "confirm" of the registration details: when, and which fields changed (names, never values). */
export const detailConfirmations = sqliteTable(
  'detail_confirmations',
  {
    id: id(),
    subjectId: integer('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    changedFields: text('changed_fields', { mode: 'json' }).$type<string[]>().notNull(),
    confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('detail_confirmations_subject').on(table.subjectId)],
)

/** A card a member had stored: last four digits and expiry only, sealed. */
export const storedCards = sqliteTable(
  'stored_cards',
  {
    id: id(),
    subjectId: integer('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    cardIndex: digest('card_index').notNull(),
    cardSealed: blob('card_sealed', { mode: 'buffer' }).notNull(),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('stored_cards_card').on(table.subjectId, table.cardIndex)],
)

export const MESSAGE_CHANNELS = ['email', 'postcard', 'handout'] as const
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number]

// `notice_resend`: the notice again, with a new letter code, sent by staff at a caller's request.
export const MESSAGE_PURPOSES = ['notification', 'email_code', 'account_notice', 'notice_resend'] as const
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number]

/**
 * Everything the portal sent to a person, found by the reference printed on
 * it, so anyone holding a message can ask whether it is really ours. The
 * address it went to (e-mail or postal) is sealed.
 */
export const messages = sqliteTable(
  'messages',
  {
    id: id(),
    referenceIndex: digest('reference_index').notNull(),
    humanId: integer('human_id')
      .notNull()
      .references(() => subjects.id),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    purpose: text('purpose', { enum: MESSAGE_PURPOSES }).notNull(),
    addressSealed: blob('address_sealed', { mode: 'buffer' }),
    // The reference itself, sealed: what a new index key recomputes reference_index from (README,
    // "Index keys"). Null for messages recorded before it was kept.
    referenceSealed: blob('reference_sealed', { mode: 'buffer' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('messages_reference').on(table.referenceIndex),
    index('messages_human').on(table.humanId),
  ],
)

export const NOTIFICATION_STATES = ['staged', 'issued'] as const

/**
 * The one notice each human gets, with its letter code as a keyed hash. A
 * postcard or handout row stays `staged` until the file that carries its code
 * is in place, so a killed run never marks anyone notified whose code was lost.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: id(),
    humanId: integer('human_id')
      .notNull()
      .references(() => subjects.id),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id),
    state: text('state', { enum: NOTIFICATION_STATES }).notNull().default('issued'),
    // Null once the code is dead (replaced by a new one); a used code stays alive until LETTER_CODE_VALID_UNTIL.
    letterCodeIndex: digest('letter_code_index'),
    // The code itself, sealed for the message that carries it: what a new index key recomputes
    // letter_code_index from. Null for codes issued before it was kept.
    letterCodeSealed: blob('letter_code_sealed', { mode: 'buffer' }),
    // The first use; every use is a row of letter_code_uses.
    letterCodeUsedAt: integer('letter_code_used_at', { mode: 'timestamp_ms' }),
    // Wrong second factors given with this letter code; at the limit it is locked until staff reset it.
    letterCodeFailures: integer('letter_code_failures').notNull().default(0),
    letterCodeLockedAt: integer('letter_code_locked_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('notifications_human').on(table.humanId),
    uniqueIndex('notifications_letter_code').on(table.letterCodeIndex),
    // Notices by channel and Japan day, for the dashboard and the breach report.
    index('notifications_state_channel').on(table.state, table.channel, table.createdAt),
    // Who used their letter code and when, without visiting the million who have not yet.
    index('notifications_letter_code_used')
      .on(table.letterCodeUsedAt, table.humanId)
      .where(sql`letter_code_used_at is not null`),
  ],
)

/**
 * Each time a letter code and its second factor opened a person's page (a
 * code works for repeated visits until LETTER_CODE_VALID_UNTIL): when, for
 * the case of that notice, nothing personal. Staff read them on the case.
 */
export const letterCodeUses = sqliteTable(
  'letter_code_uses',
  {
    id: id(),
    notificationId: integer('notification_id')
      .notNull()
      .references(() => notifications.id),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('letter_code_uses_notification').on(table.notificationId, table.usedAt)],
)

export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const
export type OutboxState = (typeof OUTBOX_STATES)[number]

/**
 * Which mail goes first: one-time codes and security notices (0) always before
 * bulk notices (1), so a code arrives in seconds even while a mass notice drains.
 */
export const OUTBOX_PRIORITIES = { urgent: 0, bulk: 1 } as const
export type OutboxPriority = (typeof OUTBOX_PRIORITIES)[keyof typeof OUTBOX_PRIORITIES]

/**
 * E-mail waiting to go out, written in the same transaction as what it tells.
 * A sender claims a message for a lease before sending it, so two senders never
 * take the same one; the sealed content is dropped once sent.
 */
export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    id: id(),
    // Null for a reply to an address nobody in the data holds ("not affected"): no one's message.
    messageId: integer('message_id').references(() => messages.id),
    contentSealed: blob('content_sealed', { mode: 'buffer' }),
    state: text('state', { enum: OUTBOX_STATES }).notNull().default('pending'),
    priority: integer('priority').notNull().default(OUTBOX_PRIORITIES.bulk),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull().default(now),
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [index('outbox_due').on(table.state, table.priority, table.nextAttemptAt)],
)

/** One-time codes (e-mail codes and the like), found by a keyed hash of their target. */
export const verificationChallenges = sqliteTable(
  'verification_challenges',
  {
    id: id(),
    type: text('type').notNull(),
    targetIndex: digest('target_index').notNull(),
    codeHash: digest('code_hash').notNull(),
    // Wrong codes typed against the current code; a new code starts again at 0.
    failures: integer('failures').notNull().default(0),
    // Wrong codes since the address last proved itself, across codes: capped for life (NIST SP 800-63B).
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('verification_target').on(table.type, table.targetIndex),
    index('verification_expiry').on(table.expiresAt),
  ],
)

/**
 * Attempts counted per fixed window, shared by every process: `bucket` names
 * the limit (`email-code-sent`, `ip-failure`), `key_index` is a keyed hash of
 * what is limited (an address, a client IP), never the value itself.
 */
export const rateLimitCounters = sqliteTable(
  'rate_limit_counters',
  {
    bucket: text('bucket').notNull(),
    keyIndex: digest('key_index').notNull(),
    windowStart: integer('window_start', { mode: 'timestamp_ms' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.bucket, table.keyIndex, table.windowStart] }),
    index('rate_limit_counters_window').on(table.windowStart),
  ],
)

/** Server-side sessions; the cookie carries only a random ID, stored here hashed. */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: digest('id_hash').primaryKey(),
    kind: text('kind', { enum: ['customer', 'staff'] }).notNull(),
    humanId: integer('human_id').references(() => subjects.id),
    // What the visitor is in the middle of proving (JSON of keyed hashes, never a typed value).
    challenge: text('challenge'),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull().default(now),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('sessions_human').on(table.humanId)],
)

/**
 * The audit log: append-only, one row per audited action, written in that
 * action's transaction by `appendAuditEntry` (audit-log.ts), never updated or
 * deleted. `hash` is SHA-256 over `previous_hash` and the entry's canonical
 * content (audit-entry.ts), so an edit or deletion breaks the chain; signed
 * checkpoints outside the database catch a chain rewritten from an edit on.
 * Actors and targets are row IDs or command names, the client IP a keyed hash,
 * `detail` tokens and counts: nothing personal.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    // The chain's order, 1, 2, 3, … with no gaps: a missing number is a deleted entry.
    sequence: integer('sequence').primaryKey(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorKind: text('actor_kind', { enum: AUDIT_ACTOR_KINDS }).notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    targetKind: text('target_kind', { enum: AUDIT_TARGET_KINDS }),
    targetId: text('target_id'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    clientIpIndex: digest('client_ip_index'),
    // Canonical JSON (keys sorted) as text, not a JSON type that would reorder it.
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

/**
 * The chain's end, one row (id 1, made by the migration). An append reads and
 * moves it in the entry's own transaction, so appends queue on this row and
 * the chain never forks: SQLite's write lock does that today, a row lock
 * (SELECT … FOR UPDATE) will on a server database shared by several nodes.
 */
export const auditChainHead = sqliteTable('audit_chain_head', {
  id: integer('id').primaryKey(),
  lastSequence: integer('last_sequence').notNull(),
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
} from './return-vocabulary'

/**
 * A return request being written: what was typed and the photos accepted so
 * far, held until the code sent to the contact address is entered. Found by a
 * keyed hash of the random token in the visitor's cookie; nothing in the
 * clear, and gone a day after it was last touched.
 */
export const returnDrafts = sqliteTable('return_drafts', {
  id: id(),
  tokenHash: digest('token_hash').notNull().unique(),
  // The contact address's e-mail index, once a code was sent for it.
  emailIndex: digest('email_index'),
  // Contact address, reason, number, description as typed; sealed with the row's ID.
  detailsSealed: blob('details_sealed', { mode: 'buffer' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * A filed request. `reference` is the RT- code the customer was given: a
 * random identifier, not personal data, so staff can read and sort by it.
 * `email_index` is the contact address's e-mail index, the one the subjects'
 * records use, so a request links to the case of whoever holds that address.
 */
export const returnRequests = sqliteTable(
  'return_requests',
  {
    id: id(),
    reference: text('reference').notNull().unique(),
    humanId: integer('human_id').references(() => subjects.id),
    emailIndex: digest('email_index').notNull(),
    reason: text('reason', { enum: RETURN_REASONS }).notNull(),
    status: text('status', { enum: RETURN_STATUSES }).notNull().default('new'),
    // Contact address, number, description, the language mail goes out in; sealed with the reference.
    detailsSealed: blob('details_sealed', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('return_requests_human').on(table.humanId),
    index('return_requests_queue').on(table.status, table.createdAt),
    index('return_requests_email').on(table.emailIndex),
  ],
)

/**
 * A photo of an item or its box, re-encoded (no metadata) and sealed with its
 * own random ID, which is also the only name it is served under. It belongs
 * to a draft until the request is filed, then to the request.
 */
export const returnPhotos = sqliteTable(
  'return_photos',
  {
    id: text('id').primaryKey(),
    draftId: integer('draft_id').references(() => returnDrafts.id, { onDelete: 'cascade' }),
    requestId: integer('request_id').references(() => returnRequests.id),
    mediaType: text('media_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    byteLength: integer('byte_length').notNull(),
    photoSealed: blob('photo_sealed', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
    // Its place among its draft's photos (kept when they move to the request), in the order they
    // came: the photos of one post share their moment, and the random IDs say nothing of order.
    arrival: integer('arrival').notNull().default(0),
  },
  (table) => [
    index('return_photos_draft').on(table.draftId),
    index('return_photos_request').on(table.requestId),
  ],
)

/**
 * A request's history: filed, each status change, each note (to the customer,
 * sent by e-mail, or internal). The ID is random, so a note can be sealed
 * with it before the row exists; a staff member is named by their public ID.
 */
export const returnEvents = sqliteTable(
  'return_events',
  {
    id: text('id').primaryKey(),
    requestId: integer('request_id')
      .notNull()
      .references(() => returnRequests.id),
    kind: text('kind', { enum: RETURN_EVENT_KINDS }).notNull(),
    status: text('status', { enum: RETURN_STATUSES }),
    staffId: text('staff_id'),
    noteSealed: blob('note_sealed', { mode: 'buffer' }),
    createdAt: createdAt(),
    // Its place in the request's history: a status change and its note share their moment.
    arrival: integer('arrival').notNull().default(0),
  },
  (table) => [index('return_events_request').on(table.requestId, table.createdAt)],
)

// ── Staff accounts and their second factors ───────────────────────────────
// One block, so a branch adding other tables meets it whole.

export const STAFF_MEMBER_ROLES = ['agent', 'supervisor'] as const
export type StaffMemberRole = (typeof STAFF_MEMBER_ROLES)[number]

/**
 * A person who answers the phone. `id` is a random public ID (`S` and
 * Crockford base32), safe in URLs and the audit log because it says nothing
 * about the person; the e-mail address and name are personal data, sealed
 * with the row's ID as associated data and found through `email_index`.
 */
export const staffMembers = sqliteTable(
  'staff_members',
  {
    id: text('id').primaryKey(),
    emailIndex: digest('email_index').notNull(),
    emailSealed: blob('email_sealed', { mode: 'buffer' }).notNull(),
    nameSealed: blob('name_sealed', { mode: 'buffer' }).notNull(),
    role: text('role', { enum: STAFF_MEMBER_ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    // Kept after the first change, so the enrolment password is refused as a new password for good.
    enrolmentPasswordHash: text('enrolment_password_hash').notNull(),
    passwordMustChange: integer('password_must_change', { mode: 'boolean' }).notNull().default(true),
    // The enrolment password signs in until then (24 hours); null once a password of their own is set.
    enrolmentExpiresAt: integer('enrolment_expires_at', { mode: 'timestamp_ms' }),
    passwordChangedAt: integer('password_changed_at', { mode: 'timestamp_ms' }),
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    // Wrong passwords and second factors in a row; at the limit the account is locked until `locked_until`.
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
    totpSecretSealed: blob('totp_secret_sealed', { mode: 'buffer' }),
    // RFC 6238 §5.2: the last time step accepted, moved forward atomically so no code works twice.
    totpLastStep: integer('totp_last_step'),
    // Set by a supervisor: then only a passkey is a second factor for this person, never TOTP.
    passkeysRequired: integer('passkeys_required', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('staff_members_email').on(table.emailIndex)],
)

/**
 * Ten one-time codes shown once at enrolment, stored only as keyed hashes
 * (the blind index kind `staff-recovery-code`), each spent once.
 */
export const staffRecoveryCodes = sqliteTable(
  'staff_recovery_codes',
  {
    id: id(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    codeHash: digest('code_hash').notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('staff_recovery_codes_code').on(table.staffId, table.codeHash)],
)

/** WebAuthn credentials a staff member registered; none of it is personal, so none of it is sealed. */
export const staffPasskeys = sqliteTable(
  'staff_passkeys',
  {
    id: id(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    credentialId: blob('credential_id', { mode: 'buffer' }).notNull(),
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    // The authenticator's signature counter: one that goes backwards betrays a cloned key.
    counter: integer('counter').notNull().default(0),
    transports: text('transports', { mode: 'json' }).$type<string[]>(),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (table) => [
    uniqueIndex('staff_passkeys_credential').on(table.credentialId),
    index('staff_passkeys_staff').on(table.staffId),
  ],
)

/**
 * Staff sessions, apart from customers' (`sessions`): found by the keyed hash
 * of the random ID their own cookie carries. `factor` is how far the sign-in
 * got: `password` until a second factor is given (see app/staff/staff-session.server.ts).
 * The row goes with its member, and every row of a member is deleted when
 * their password changes, the account is disabled or its MFA reset.
 */
/** The last factor the session was given: the password alone, or a second factor after it. */
export const STAFF_SESSION_FACTORS = ['password', 'totp', 'recovery-code', 'passkey'] as const
export const staffSessions = sqliteTable(
  'staff_sessions',
  {
    idHash: digest('id_hash').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    factor: text('factor', { enum: STAFF_SESSION_FACTORS }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull().default(now),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** When a second factor was last given in this session: step-up asks again after five minutes. */
    secondFactorAt: integer('second_factor_at', { mode: 'timestamp_ms' }),
    /**
     * An authenticator-app secret offered at enrolment and not yet confirmed by
     * a code: kept with the session (sealed) so a reload shows the same QR code.
     */
    totpEnrolmentSealed: blob('totp_enrolment_sealed', { mode: 'buffer' }),
    /** The WebAuthn challenge of a passkey ceremony in progress, used once. */
    webauthnChallenge: text('webauthn_challenge'),
  },
  (table) => [index('staff_sessions_staff').on(table.staffId)],
)

export type StaffMemberRow = typeof staffMembers.$inferSelect
export type NewStaffMemberRow = typeof staffMembers.$inferInsert
export type StaffRecoveryCode = typeof staffRecoveryCodes.$inferSelect
export type StaffPasskey = typeof staffPasskeys.$inferSelect

// ── end of staff accounts ──────────────────────────────────────────────────

/**
 * A support agent's note on a case (a human: `subjects.human_id`). The text
 * may hold anything a caller said, so it is sealed with the note's random
 * public ID as associated data; the ID is chosen before the insert so the
 * seal can name its row.
 */
export const caseNotes = sqliteTable(
  'case_notes',
  {
    id: text('id').primaryKey(),
    humanId: integer('human_id').notNull(),
    staffId: text('staff_id').notNull(),
    noteSealed: blob('note_sealed', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('case_notes_human').on(table.humanId, table.createdAt)],
)

export type CaseNoteRow = typeof caseNotes.$inferSelect

export const IDENTITY_CONFIRMATION_REASONS = [
  'letter-lost',
  'elderly-caller',
  'no-email-access',
  'other',
] as const
export type IdentityConfirmationReason = (typeof IDENTITY_CONFIRMATION_REASONS)[number]

/**
 * A supervisor's record that a caller was confirmed by calling back the phone
 * number on file. It lets the human's next letter-code check pass without the
 * second factor once before `expires_at`; `used_at` spends it. The reason is a
 * token; an "other" reason's words are sealed with the row's random ID.
 */
export const identityConfirmations = sqliteTable(
  'identity_confirmations',
  {
    id: text('id').primaryKey(),
    humanId: integer('human_id').notNull(),
    staffId: text('staff_id').notNull(),
    reason: text('reason', { enum: IDENTITY_CONFIRMATION_REASONS }).notNull(),
    reasonTextSealed: blob('reason_text_sealed', { mode: 'buffer' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [index('identity_confirmations_human').on(table.humanId, table.expiresAt)],
)

export const PRINTER_ROW_KINDS = ['postcard', 'handout'] as const
export type PrinterRowKind = (typeof PRINTER_ROW_KINDS)[number]

/**
 * A notice sent again on paper: its printer row (letter code, name, address)
 * waits sealed for the next `npm run notify`, which writes it into that run's
 * file and then drops the sealed row, keeping only when it was written.
 */
export const printerReprints = sqliteTable(
  'printer_reprints',
  {
    id: id(),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id),
    kind: text('kind', { enum: PRINTER_ROW_KINDS }).notNull(),
    rowSealed: blob('row_sealed', { mode: 'buffer' }),
    writtenAt: integer('written_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('printer_reprints_message').on(table.messageId),
    index('printer_reprints_waiting').on(table.id).where(sql`written_at is null`),
  ],
)

/**
 * The dashboard's figures, kept as they happen instead of counted at each
 * view: counting a million notices and the steps of hundreds of thousands of
 * people took seconds a view. Triggers on the tables the figures come from
 * keep both tables in step, in the transaction of each change (migration
 * 0017 has them and the count of what was there before); the application
 * only reads them (`portal-progress.ts`).
 */
export const PROGRESS_STEPS = ['checked', 'password_reset', 'details_confirmed', 'ready'] as const
export type ProgressStep = (typeof PROGRESS_STEPS)[number]

/** A person's first day (Japan) of each step, so that a person counts once per step. */
export const humanSteps = sqliteTable(
  'human_steps',
  {
    humanId: integer('human_id').notNull(),
    step: text('step', { enum: PROGRESS_STEPS }).notNull(),
    day: integer('day').notNull(),
  },
  (table) => [primaryKey({ columns: [table.humanId, table.step] })],
)

/**
 * How many a series counts on a Japan day (days since 1970-01-01 at +09:00):
 * the steps of `human_steps`, notices issued per channel (`notified:email`…),
 * and notice e-mails sent or refused for good (`notice_email:sent`,
 * `notice_email:failed`, on the day they were queued).
 */
export const progressTallies = sqliteTable(
  'progress_tallies',
  {
    series: text('series').notNull(),
    day: integer('day').notNull(),
    tally: integer('tally').notNull(),
  },
  (table) => [primaryKey({ columns: [table.series, table.day] })],
)

/**
 * Sealed columns whose values still carry the associated data they were first
 * sealed under (a blind-index digest, which an index-key rotation changes) and
 * are to be sealed again bound to their row's ID: a row per column, its
 * progress in `after_key`, deleted when the column is done (`seal-rebinding.ts`).
 * Migration 0019 lists only the columns that held values then.
 */
export const sealRebindings = sqliteTable('seal_rebindings', {
  sealedColumn: text('sealed_column').primaryKey(),
  afterKey: integer('after_key').notNull().default(0),
})

export type Subject = typeof subjects.$inferSelect
export type NewSubject = typeof subjects.$inferInsert
/** The stored, sealed row; the opened account the app works with is `MemberAccount` in `member-accounts.ts`. */
export type MemberAccountRow = typeof memberAccounts.$inferSelect
export type StoredCard = typeof storedCards.$inferSelect
export type Notification = typeof notifications.$inferSelect
export type Message = typeof messages.$inferSelect
export type OutboxMessage = typeof outboxMessages.$inferSelect
export type VerificationChallenge = typeof verificationChallenges.$inferSelect
export type Session = typeof sessions.$inferSelect
export type PortalMeta = typeof portalMeta.$inferSelect
export type AuditLogRow = typeof auditLog.$inferSelect
