import { type PortalDatabase, prepared } from './database'
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

export async function readCaseHistory(
  db: PortalDatabase,
  humanId: number,
  now = Date.now(),
): Promise<CaseHistory> {
  const notice = await prepared<Omit<CaseNotice, 'letterCodeAlive'> & { letterCodeAlive: number }>(
    db,
    `select channel, state, created_at as at, letter_code_index is not null as "letterCodeAlive",
       letter_code_used_at as "letterCodeFirstUsedAt", letter_code_failures as "letterCodeFailures",
       letter_code_locked_at as "letterCodeLockedAt"
     from notifications where human_id = ?`,
  ).get(humanId)
  const messages = (
    await prepared<Omit<CaseMessage, 'failure'> & { lastError: string | null }>(
      db,
      `select m.id, m.channel, m.purpose, m.created_at as at, o.state as delivery,
         coalesce(o.attempts, 0) as attempts, o.sent_at as "sentAt", o.last_error as "lastError"
       from messages m left join outbox_messages o on o.message_id = m.id
       where m.human_id = ? order by m.id desc limit ${CASE_HISTORY_LIMIT}`,
    ).all(humanId)
  ).map(({ lastError, ...message }) => ({
    ...message,
    failure: lastError === null ? null : (lastError.match(SMTP_REPLY)?.[0] ?? 'connection'),
  }))
  const letterCodeUses = (
    await prepared<{ usedAt: number }>(
      db,
      `select u.used_at as "usedAt" from letter_code_uses u join notifications n on n.id = u.notification_id
       where n.human_id = ? order by u.used_at desc limit ${CASE_HISTORY_LIMIT}`,
    ).all(humanId)
  ).map((use) => use.usedAt)
  const detailConfirmations = (
    await prepared<{ at: number; changedFields: string }>(
      db,
      `select d.confirmed_at as at, d.changed_fields as "changedFields"
       from detail_confirmations d join subjects s on s.id = d.subject_id
       where s.human_id = ? order by d.confirmed_at desc limit ${CASE_HISTORY_LIMIT}`,
    ).all(humanId)
  ).map((row) => ({ at: row.at, changedFields: JSON.parse(row.changedFields) as string[] }))
  const accounts = await prepared<Omit<CaseMember, 'openActions'>>(
    db,
    `select a.subject_id as "subjectId", a.password_changed_at as "passwordChangedAt",
       a.details_confirmed_at as "detailsConfirmedAt", a.ready_at as "readyAt"
     from member_accounts a join subjects s on s.id = a.subject_id
     where s.human_id = ? order by a.subject_id`,
  ).all(humanId)
  // Each member's open actions in the order of their key (subject, action), gathered here:
  // a list in one column (SQLite's group_concat) has no spelling both backends share.
  const openActions = await prepared<{ subjectId: number; action: RequiredAction }>(
    db,
    `select r.subject_id as "subjectId", r.action
     from member_required_actions r join subjects s on s.id = r.subject_id
     where s.human_id = ? order by r.subject_id, r.action`,
  ).all(humanId)
  const members = accounts.map((account) => ({
    ...account,
    openActions: openActions
      .filter((open) => open.subjectId === account.subjectId)
      .map((open) => open.action),
  }))
  const openSessions = (await prepared<{ count: number; lastSeenAt: number | null }>(
    db,
    `select count(*) as count, max(last_seen_at) as "lastSeenAt" from sessions
     where human_id = ? and kind = 'customer' and expires_at > ?`,
  ).get(humanId, now)) ?? { count: 0, lastSeenAt: null }
  const returnRequests = await prepared<CaseHistory['returnRequests'][number]>(
    db,
    `select id, reference, reason, status, created_at as at from return_requests
     where human_id = ? order by id desc limit ${CASE_HISTORY_LIMIT}`,
  ).all(humanId)
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
