import type { AppLoadContext } from '@remix-run/node'
import { boundedForm, choiceField, firstErrors, readForm, textField } from '~/forms/bounded-form'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import type { IdentityConfirmationReason } from '~db/schema'
import { CALL_BACK_REASON_TEXT_MAX, CALL_BACK_REASONS_SHOWN } from './call-back-reasons'
import { type CaseRefusal, caseAccess } from './case-access.server'
import { confirmIdentityByCallBack } from './case-actions.server'
import { CONTROL } from './case-page-actions.server'
import { caseViewer } from './case-search-page.server'
import type { StaffSession } from './staff-session.server'
import { hasRecentSecondFactor } from './staff-step-up.server'

/**
 * "Identity confirmed by call-back to the phone number on file", from the
 * case page: a supervisor, with a second factor of the last five minutes,
 * records why; the customer's next letter-code check within seven days then
 * passes without the second factor, once. An agent's post is refused and
 * recorded as denied before anything else is asked of them.
 */

export type CallBackErrors = Partial<Record<'reason' | 'reasonText', string>>

const callBackForm = boundedForm(
  {
    reason: choiceField(CALL_BACK_REASONS_SHOWN, { invalid: 'reasonRequired' }),
    reasonText: textField(
      { max: CALL_BACK_REASON_TEXT_MAX, required: 'reasonTextRequired', tooLong: 'reasonTextTooLong' },
      (text) => text.transform((value) => value.replace(CONTROL, '').trim()).default(''),
    ),
  },
  (object) =>
    object.superRefine((value, context) => {
      if (value.reason === 'other' && value.reasonText === '') {
        context.addIssue({ code: 'custom', path: ['reasonText'], message: 'reasonTextRequired' })
      }
    }),
)

export type CallBackAnswer =
  | { kind: 'done' }
  | { kind: 'refused'; reason: CaseRefusal }
  | { kind: 'callBackDenied' }
  /** The second factor is older than five minutes: nothing stored, the page asks for it. */
  | { kind: 'stepUp' }
  /** What was wrong, and the reason chosen (a token), kept checked on the form shown again. */
  | { kind: 'callBackInvalid'; errors: CallBackErrors; chosen: string | null }

export async function confirmIdentityOnCase({
  db,
  crypto,
  session,
  context,
  humanId,
  form,
  now = new Date(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  context: AppLoadContext
  humanId: number
  form: FormData
  now?: Date
}): Promise<CallBackAnswer> {
  const viewer = caseViewer({ session, context, crypto })
  const refused = await caseAccess({ db, crypto, viewer, now: now.getTime() }, humanId)
  if (refused) return { kind: 'refused', reason: refused }
  const acting = { db, session, humanId, clientIpIndex: viewer.clientIpIndex, now, keyring: crypto.keyring }
  // Refused and recorded inside: no reason is read, no second factor asked of an agent.
  if (session.role !== 'supervisor') {
    await confirmIdentityByCallBack({ ...acting, reason: 'other' })
    return { kind: 'callBackDenied' }
  }
  if (!hasRecentSecondFactor(session, now.getTime())) return { kind: 'stepUp' }
  const parsed = readForm(form, callBackForm)
  if (!parsed.success) {
    const asked = form.get('reason')
    const chosen = CALL_BACK_REASONS_SHOWN.find((reason) => reason === asked) ?? null
    return {
      kind: 'callBackInvalid',
      errors: firstErrors<'reason' | 'reasonText'>(parsed.error.issues),
      chosen,
    }
  }
  // The form's reasons are the table's (a reason the table lacks fails the type check here).
  const reason: IdentityConfirmationReason = parsed.data.reason
  const { reasonText } = parsed.data
  await confirmIdentityByCallBack({
    ...acting,
    reason,
    reasonText: reason === 'other' ? reasonText : undefined,
  })
  return { kind: 'done' }
}
