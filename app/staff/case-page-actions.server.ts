import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { boundedForm, choiceField, readForm, textField } from '~/forms/bounded-form'
import { type LimitCheck, limits } from '~/security/rate-limit.server'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { type CaseRefusal, caseAccess } from './case-access.server'
import { CASE_ACTION_INTENTS } from './case-action-names'
import { addCaseNoteAudited, endCaseSessions, unlockCaseLetterCode } from './case-actions.server'
import { resendCaseNotice } from './case-notice-resend.server'
import { caseViewer } from './case-search-page.server'
import type { StaffSession } from './staff-session.server'

/**
 * The actions the case page offers beside a reveal: send the notice again
 * (to the contact point on file, never one given), unlock the letter code,
 * end the customer's sessions, add a note. None touches a contact point or a
 * password; each is one transaction with one audit entry, and the page then
 * shows the case again with what was done.
 */

// A reveal, or one of the actions (their vocabulary's one home is case-action-names.ts).
export const CASE_PAGE_INTENTS = ['reveal', ...CASE_ACTION_INTENTS] as const
export type CasePageIntent = (typeof CASE_PAGE_INTENTS)[number]

export const NOTE_MAX = 2000
// Control characters (but line breaks and tabs) and direction overrides have no place in a note
// read on a screen. Named by their Unicode category, so the pattern holds no control character itself.
export const CONTROL = /[^\P{Cc}\t\n\r]|[\u202a-\u202e\u2066-\u2069]/gu

export const intentForm = boundedForm({
  intent: choiceField(CASE_PAGE_INTENTS, { invalid: 'badRequest', fallback: 'reveal' }),
})

const noteForm = boundedForm({
  note: textField({ max: NOTE_MAX, required: 'noteRequired', tooLong: 'noteTooLong' }, (text) =>
    text.transform((value) => value.replace(CONTROL, '').trim()).pipe(z.string().min(1, 'noteRequired')),
  ),
})

export type CaseActionAnswer =
  | { kind: 'done'; intent: Exclude<CasePageIntent, 'reveal' | 'confirm-identity'> }
  | { kind: 'refused'; reason: CaseRefusal }
  | { kind: 'invalid'; errors: { note?: string } }
  | { kind: 'resendRefused'; reason: 'not_notified' | 'unreachable' }
  | { kind: 'rateLimited'; limit: Extract<LimitCheck, { limited: true }>; perCase: number; perStaff: number }

export async function actOnCase({
  db,
  crypto,
  session,
  context,
  humanId,
  intent,
  form,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  context: AppLoadContext
  humanId: number
  intent: Exclude<CasePageIntent, 'reveal' | 'confirm-identity'>
  form: FormData
}): Promise<CaseActionAnswer> {
  const viewer = caseViewer({ session, context, crypto })
  const refused = await caseAccess({ db, crypto, viewer }, humanId)
  if (refused) return { kind: 'refused', reason: refused }
  const acting = { db, session, humanId, clientIpIndex: viewer.clientIpIndex, now: new Date() }
  switch (intent) {
    case 'resend-notice': {
      const resent = await resendCaseNotice({
        db,
        crypto,
        session,
        humanId,
        clientIpIndex: viewer.clientIpIndex,
      })
      if (resent.kind === 'sent') return { kind: 'done', intent }
      if (resent.kind === 'refused') return { kind: 'resendRefused', reason: resent.reason }
      return {
        ...resent,
        perCase: limits.noticeResendsPerCase.max,
        perStaff: limits.noticeResendsPerStaff.max,
      }
    }
    case 'unlock-letter-code':
      await unlockCaseLetterCode(acting)
      return { kind: 'done', intent }
    case 'end-sessions':
      await endCaseSessions(acting)
      return { kind: 'done', intent }
    case 'add-note': {
      const parsed = readForm(form, noteForm)
      if (!parsed.success)
        return { kind: 'invalid', errors: { note: parsed.error.issues[0]?.message ?? 'noteRequired' } }
      await addCaseNoteAudited({ ...acting, keyring: crypto.keyring, text: parsed.data.note })
      return { kind: 'done', intent }
    }
  }
}
