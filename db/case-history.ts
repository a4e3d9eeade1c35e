import { type SqliteDatabase, sqliteStatement } from './client'
import type { MessageChannel, MessagePurpose, OutboxState, RequiredAction } from './schema'

/**
 * Everything that happened to one human's case, as the staff case view reads
 * it: what was sent and how it went, each use of the letter code, wrong tries
 * and locks, the member's progress, sessions open now, return requests. All
 * by `human_id` (or the member's subject IDs), each on its own index; nothing
 * sealed is read here, and nothing personal is returned. Staff actions and
 * looks come from the audit log, notes from `case-notes.ts`.
 */

export type CaseMessage = {
  id: number
  channel: MessageChannel
  purpose: MessagePurpose
  at: number
  /** E-mail only: the outbox's state; null for paper, or an e-mail whose outbox row is gone. */
  delivery: OutboxState | null
  attempts: number
  sentAt: number | null
  /** The SMTP reply code and class of the last failure (never the reply's text, which may quote the address). */
  failure: string | null
}

export type CaseNotice = {
  channel: MessageChannel
  state: 'staged' | 'issued'
  at: number
  letterCodeAlive: boolean
  letterCodeFirstUsedAt: number | null
  letterCodeFailures: number
  letterCodeLockedAt: number | null
}

export type CaseMember = {
  subjectId: number
  passwordChangedAt: number | null
  detailsConfirmedAt: number | null
  readyAt: number | null
  openActions: RequiredAction[]
}

export type CaseHistory = {
  notice: CaseNotice | null
  messages: CaseMessage[]
  letterCodeUses: number[]
  detailConfirmations: { at: number; changedFields: string[] }[]
  members: CaseMember[]
  openSessions: { count: number; lastSeenAt: number | null }
  returnRequests: { id: number; reference: string; reason: string; status: string; at: number }[]
}

/** How much of a long history the view lists: the newest, with a count of the rest. */
export const CASE_HISTORY_LIMIT = 100

// Only the code and class of an SMTP reply, as the sender stored it (`SMTP 550 5.1.1 (EENVELOPE)`).
const SMTP_REPLY = /^SMTP \d{3}(?: \d\.\d{1,3}\.\d{1,3})?/

export function readCaseHistory(db: SqliteDatabase, humanId: number, now = Date.now()): CaseHistory {
  const notice = sqliteStatement(
    db,
    `select channel, state, created_at as at, letter_code_index is not null as letterCodeAlive,
       letter_code_used_at as letterCodeFirstUsedAt, letter_code_failures as letterCodeFailures,
       letter_code_locked_at as letterCodeLockedAt
     from notifications where human_id = ?`,
  ).get(humanId) as (Omit<CaseNotice, 'letterCodeAlive'> & { letterCodeAlive: number }) | undefined
  const messages = (
    sqliteStatement(
      db,
      `select m.id, m.channel, m.purpose, m.created_at as at, o.state as delivery,
         coalesce(o.attempts, 0) as attempts, o.sent_at as sentAt, o.last_error as lastError
       from messages m left join outbox_messages o on o.message_id = m.id
       where m.human_id = ? order by m.id desc limit ${CASE_HISTORY_LIMIT}`,
    ).all(humanId) as (Omit<CaseMessage, 'failure'> & { lastError: string | null })[]
  ).map(({ lastError, ...message }) => ({
    ...message,
    failure: lastError === null ? null : (lastError.match(SMTP_REPLY)?.[0] ?? 'connection'),
  }))
  const letterCodeUses = sqliteStatement(
    db,
    `select u.used_at from letter_code_uses u join notifications n on n.id = u.notification_id
     where n.human_id = ? order by u.used_at desc limit ${CASE_HISTORY_LIMIT}`,
  )
    .pluck()
    .all(humanId) as number[]
  const detailConfirmations = (
    sqliteStatement(
      db,
      `select d.confirmed_at as at, d.changed_fields as changedFields
       from detail_confirmations d join subjects s on s.id = d.subject_id
       where s.human_id = ? order by d.confirmed_at desc limit ${CASE_HISTORY_LIMIT}`,
    ).all(humanId) as { at: number; changedFields: string }[]
  ).map((row) => ({ at: row.at, changedFields: JSON.parse(row.changedFields) as string[] }))
  const members = (
    sqliteStatement(
      db,
      `select a.subject_id as subjectId, a.password_changed_at as passwordChangedAt,
         a.details_confirmed_at as detailsConfirmedAt, a.ready_at as readyAt,
         (select group_concat(r.action) from member_required_actions r where r.subject_id = a.subject_id) as openActions
       from member_accounts a join subjects s on s.id = a.subject_id
       where s.human_id = ? order by a.subject_id`,
    ).all(humanId) as (Omit<CaseMember, 'openActions'> & { openActions: string | null })[]
  ).map((member) => ({
    ...member,
    openActions: (member.openActions?.split(',') ?? []) as RequiredAction[],
  }))
  const openSessions = sqliteStatement(
    db,
    `select count(*) as count, max(last_seen_at) as lastSeenAt from sessions
     where human_id = ? and kind = 'customer' and expires_at > ?`,
  ).get(humanId, now) as { count: number; lastSeenAt: number | null }
  const returnRequests = sqliteStatement(
    db,
    `select id, reference, reason, status, created_at as at from return_requests
     where human_id = ? order by id desc limit ${CASE_HISTORY_LIMIT}`,
  ).all(humanId) as CaseHistory['returnRequests']
  return {
    notice: notice ? { ...notice, letterCodeAlive: notice.letterCodeAlive === 1 } : null,
    messages,
    letterCodeUses,
    detailConfirmations,
    members,
    openSessions,
    returnRequests,
  }
}
