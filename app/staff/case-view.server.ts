import { type ExposureRecord, loadExposureView } from '~/exposure/exposure.server'
import { listAuditEntries } from '~db/audit-log'
import { CASE_HISTORY_LIMIT, type CaseHistory, readCaseHistory } from '~db/case-history'
import { listCaseNotes } from '~db/case-notes'
import type { PortalDatabase } from '~db/database'
import { activeIdentityConfirmationUntil } from '~db/identity-confirmations'
import type { PortalCrypto } from '~db/portal-crypto'
import { type RevealableField, revealableFields } from './case-reveal.server'

/**
 * The case as staff see it: the person's records with what each exposed
 * (the masks of the exposure page), where things stand now, and one
 * timeline of everything that happened, newest first. No value leaves
 * here unmasked; a reveal is its own request (case-reveal.server.ts).
 */

/** One line of the timeline: an i18n key under `caseView.events`, its values, and who did it if staff. */
export type CaseEvent = {
  at: number
  event: string
  values: Record<string, string | number>
  staffId: string | null
  outcome: 'success' | 'failure' | 'denied' | null
  /** A staff page with more about it (a return request's own page). */
  href?: string
}

export type CaseView = {
  humanId: number
  records: ExposureRecord[]
  revealable: RevealableField[]
  status: Pick<CaseHistory, 'notice' | 'members' | 'openSessions'> & {
    /** Until when a call-back confirmation lets the next letter-code check skip the second factor. */
    identityConfirmedUntil: number | null
  }
  events: CaseEvent[]
}

const event = (
  at: number | null,
  name: string,
  values: CaseEvent['values'] = {},
  staff: Pick<CaseEvent, 'staffId' | 'outcome'> = { staffId: null, outcome: null },
): CaseEvent[] => (at === null ? [] : [{ at, event: name, values, ...staff }])

function historyEvents(history: CaseHistory): CaseEvent[] {
  const { notice } = history
  return [
    ...(notice
      ? [
          ...event(notice.at, notice.state === 'staged' ? 'noticeStaged' : 'noticeIssued', {
            channel: notice.channel,
          }),
          ...event(notice.letterCodeLockedAt, 'letterCodeLocked', { failures: notice.letterCodeFailures }),
        ]
      : []),
    ...history.messages.flatMap((message) => [
      ...event(message.at, `message.${message.purpose}`, {
        channel: message.channel,
        delivery: message.delivery ?? 'paper',
        attempts: message.attempts,
      }),
      ...event(message.sentAt, 'messageDelivered', { channel: message.channel }),
      ...(message.delivery === 'failed' || message.failure
        ? event(message.sentAt ?? message.at, 'messageFailed', { failure: message.failure ?? 'connection' })
        : []),
    ]),
    ...history.letterCodeUses.flatMap((at) => event(at, 'letterCodeUsed')),
    ...history.detailConfirmations.flatMap((confirmation) =>
      event(confirmation.at, 'detailsConfirmed', { changed: confirmation.changedFields.length }),
    ),
    ...history.members.flatMap((member) => [
      ...event(member.passwordChangedAt, 'passwordReset'),
      ...event(member.readyAt, 'ready'),
    ]),
    ...history.returnRequests.flatMap((request) =>
      event(request.at, 'returnRequested', {
        reference: request.reference,
        reason: request.reason,
        status: request.status,
      }).map((line) => ({ ...line, href: `/staff/returns/${request.reference}` })),
    ),
  ]
}

/** Staff actions and looks on this case, from the audit log: the log's own words and tokens. */
async function auditEvents(db: PortalDatabase, humanId: number): Promise<CaseEvent[]> {
  const { entries } = await listAuditEntries(db, {
    filter: { target: { kind: 'case', id: humanId } },
    limit: CASE_HISTORY_LIMIT,
  })
  return entries.map((entry) => ({
    at: entry.at,
    event: `audit.${entry.action}`,
    values: Object.fromEntries(
      Object.entries(entry.detail).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(', ') : String(value),
      ]),
    ),
    staffId: entry.actor.kind === 'staff' ? entry.actor.id : null,
    outcome: entry.outcome,
  }))
}

/**
 * Every page load is an audited open, so one call can leave a dozen "case
 * opened" lines in a row: a run of the same event by the same person shows
 * as one line with its count (`times`) and its newest moment.
 */
function collapseRepeats(events: CaseEvent[]): CaseEvent[] {
  const collapsed: CaseEvent[] = []
  for (const event of events) {
    const last = collapsed.at(-1)
    if (
      last &&
      event.event === 'audit.case.opened' &&
      last.event === event.event &&
      last.staffId === event.staffId &&
      last.outcome === event.outcome
    ) {
      last.values = { ...last.values, times: Number(last.values.times ?? 1) + 1 }
    } else collapsed.push({ ...event })
  }
  return collapsed
}

export async function loadCaseView(
  { db, crypto, now = Date.now() }: { db: PortalDatabase; crypto: PortalCrypto; now?: number },
  humanId: number,
): Promise<CaseView> {
  const exposure = await loadExposureView(db, crypto.keyring, humanId)
  const history = await readCaseHistory(db, humanId, now)
  // Notes are the staff's own words, opened for the staff's eyes: sealed at rest like the rest.
  const notes = (await listCaseNotes(db, crypto.keyring, humanId)).map(
    (note): CaseEvent => ({
      at: note.at,
      event: 'note',
      values: { text: note.text },
      staffId: note.staffId,
      outcome: null,
    }),
  )
  const events = collapseRepeats(
    [...historyEvents(history), ...(await auditEvents(db, humanId)), ...notes].sort((a, b) => b.at - a.at),
  )
  return {
    humanId,
    records: exposure.records,
    revealable: await revealableFields(db, crypto, humanId),
    status: {
      notice: history.notice,
      members: history.members,
      openSessions: history.openSessions,
      identityConfirmedUntil:
        (await activeIdentityConfirmationUntil(db, { humanId, now: new Date(now) }))?.getTime() ?? null,
    },
    events,
  }
}
