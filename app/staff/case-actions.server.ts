import type { StaffSession } from '~/staff/staff-session.server'
import { appendAuditEntry } from '~db/audit-log'
import { endCustomerSessions, unlockLetterCodeOfHuman } from '~db/case-action-state'
import { addCaseNote } from '~db/case-notes'
import { type PortalDatabase, withTransaction } from '~db/database'
import { addIdentityConfirmation } from '~db/identity-confirmations'
import type { IdentityConfirmationReason } from '~db/schema'
import type { Keyring } from '~db/seal'

/**
 * The actions staff take on a case (a human), each one transaction with
 * exactly one audit entry targeted at the case (stored as ('case', String(humanId))). Audit detail holds
 * tokens and counts only: never the note, never a reason's words.
 */

type ActionContext = {
  db: PortalDatabase
  session: Pick<StaffSession, 'staffId' | 'role'>
  humanId: number
  clientIpIndex: Buffer
  now: Date
}

const caseTarget = (humanId: number) => ({ kind: 'case', id: humanId }) as const
const staffActor = (session: ActionContext['session']) => ({ kind: 'staff', id: session.staffId }) as const

export async function unlockCaseLetterCode({
  db,
  session,
  humanId,
  clientIpIndex,
}: ActionContext): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const unlocked = await unlockLetterCodeOfHuman(tx, humanId)
    await appendAuditEntry(tx, {
      actor: staffActor(session),
      action: 'case.letter_code_unlocked',
      target: caseTarget(humanId),
      outcome: unlocked ? 'success' : 'failure',
      clientIpIndex,
      detail: unlocked ? {} : { reason: 'not_locked' },
    })
    return unlocked
  })
}

export async function endCaseSessions({
  db,
  session,
  humanId,
  clientIpIndex,
  now,
}: ActionContext): Promise<number> {
  return withTransaction(db, async (tx) => {
    const ended = await endCustomerSessions(tx, { humanId, now })
    await appendAuditEntry(tx, {
      actor: staffActor(session),
      action: 'case.sessions_ended',
      target: caseTarget(humanId),
      outcome: 'success',
      clientIpIndex,
      detail: { sessions: ended },
    })
    return ended
  })
}

export async function addCaseNoteAudited({
  keyring,
  text,
  ...context
}: ActionContext & { keyring: Keyring; text: string }) {
  const { db, session, humanId, clientIpIndex, now } = context
  await withTransaction(db, async (tx) => {
    await addCaseNote(tx, keyring, { humanId, staffId: session.staffId, text, now })
    await appendAuditEntry(tx, {
      actor: staffActor(session),
      action: 'case.note_added',
      target: caseTarget(humanId),
      outcome: 'success',
      clientIpIndex,
      detail: { characters: [...text].length },
    })
  })
}

/**
 * Supervisors only (the page also asks for a fresh second factor). An agent's
 * forged post is refused here too and recorded as denied, so the refusal does
 * not depend on the route remembering to check.
 */
export async function confirmIdentityByCallBack({
  keyring,
  reason,
  reasonText,
  ...context
}: ActionContext & { keyring: Keyring; reason: IdentityConfirmationReason; reasonText?: string }) {
  const { db, session, humanId, clientIpIndex, now } = context
  const allowed = session.role === 'supervisor'
  return withTransaction(db, async (tx) => {
    if (allowed) {
      await addIdentityConfirmation(tx, keyring, {
        humanId,
        staffId: session.staffId,
        reason,
        reasonText: reason === 'other' ? reasonText : undefined,
        now,
      })
    }
    await appendAuditEntry(tx, {
      actor: staffActor(session),
      action: 'case.identity_confirmed',
      target: caseTarget(humanId),
      outcome: allowed ? 'success' : 'denied',
      clientIpIndex,
      detail: allowed ? { reason } : { reason: 'not_supervisor' },
    })
    return allowed
  })
}
