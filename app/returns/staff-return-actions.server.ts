import { z } from 'zod'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { getConfig } from '~/config.server'
import { boundedForm, choiceField, type FormField, firstErrors, readForm } from '~/forms/bounded-form'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { queueReturnEmail } from '~/mail/queue-email.server'
import { CONTROL } from '~/staff/case-page-actions.server'
import { appendAuditEntry } from '~db/audit-log'
import { withTransaction } from '~db/database'
import { addReturnEvent, findReturnRequest, readRequestDetails, setReturnStatus } from '~db/return-requests'
import { RETURN_STATUSES } from '~db/schema'
import type { ReturnDetails } from './return-details'
import { referenceOf, type StaffActor, staffActorOf } from './staff-return-request.server'

/**
 * What staff do on a return request: move it to another status or write to
 * the customer (either way the customer gets an e-mail with the status, and
 * the note if there is one), or write an internal note nobody outside reads. Each is one transaction: the change, its history, the e-mail in the
 * outbox and one audit entry, which holds the statuses and whether mail went,
 * never the note.
 */

export const RETURN_NOTE_MAX = 2000
export const RETURN_INTENTS = ['status', 'note'] as const
/** What the page says after a change, by the `done` word its redirect carries. */
export const RETURN_DONE = ['statusChanged', 'customerNoteSent', 'noteAdded'] as const

/** Without control characters and surrounding space; empty when nothing was written. */
const cleaned = (text: string) => text.replace(CONTROL, '').trim()

function noteField({ required }: { required: boolean }): FormField {
  const tooLong = 'returnView.errors.noteTooLong'
  const bounded = z.string().max(RETURN_NOTE_MAX, { error: tooLong, abort: true })
  return {
    max: RETURN_NOTE_MAX,
    tooLong,
    schema: required
      ? z
          .string({ error: 'returnView.errors.noteRequired' })
          .max(RETURN_NOTE_MAX, { error: tooLong, abort: true })
          .transform(cleaned)
          .pipe(z.string().min(1, 'returnView.errors.noteRequired'))
      : bounded.optional().transform((text) => (text === undefined ? '' : cleaned(text))),
  }
}

export const returnIntentForm = boundedForm({
  intent: choiceField(RETURN_INTENTS, { invalid: 'returnView.errors.badRequest' }),
})

const statusForm = boundedForm({
  status: choiceField(RETURN_STATUSES, { invalid: 'returnView.errors.status' }),
  note: noteField({ required: false }),
})

const internalNoteForm = boundedForm({ note: noteField({ required: true }) })

export type ReturnActionAnswer =
  | { kind: 'done'; done: (typeof RETURN_DONE)[number] }
  | { kind: 'unchanged' }
  | { kind: 'notFound' }
  | { kind: 'invalid'; form: 'status' | 'note'; errors: Partial<Record<'status' | 'note', string>> }

export async function changeReturnStatus(
  actor: StaffActor,
  { referenceParam, form }: { referenceParam: string | undefined; form: FormData },
): Promise<ReturnActionAnswer> {
  const parsed = readForm(form, statusForm)
  if (!parsed.success)
    return { kind: 'invalid', form: 'status', errors: firstErrors<'status' | 'note'>(parsed.error.issues) }
  const reference = referenceOf(referenceParam)
  if (!reference) return { kind: 'notFound' }
  const { status: to } = parsed.data
  const note = parsed.data.note as string
  const { db, crypto, session, context } = actor
  return withTransaction(db, async (tx): Promise<ReturnActionAnswer> => {
    const row = await findReturnRequest(tx, reference)
    if (!row) return { kind: 'notFound' }
    const from = row.status
    if (from === to && note === '') return { kind: 'unchanged' }
    const now = Date.now()
    if (from !== to) {
      await setReturnStatus(tx, { requestId: row.id, status: to, now })
      await addReturnEvent(tx, crypto.keyring, {
        requestId: row.id,
        kind: 'status_changed',
        status: to,
        staffId: session.staffId,
        now,
      })
    }
    // The customer hears of every change of status, and of every note: a request that moves
    // without a word leaves them wondering.
    if (note !== '')
      await addReturnEvent(tx, crypto.keyring, {
        requestId: row.id,
        kind: 'customer_note',
        status: to,
        staffId: session.staffId,
        note,
        now,
      })
    const details = readRequestDetails<ReturnDetails>(crypto.keyring, row)
    await queueReturnEmail({
      db: tx,
      crypto,
      content: {
        kind: 'return_update',
        to: details.email,
        input: {
          language: details.language,
          reference,
          status: to,
          ...(note !== '' && { note }),
          portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
        },
      },
    })
    await appendAuditEntry(tx, {
      actor: staffActorOf({ session }),
      ...(from !== to
        ? { action: 'return.status_changed', detail: { from, to, notified: true } }
        : { action: 'return.note_added', detail: { kind: 'customer', notified: true } }),
      target: { kind: 'return', id: reference },
      outcome: 'success',
      clientIpIndex: auditClientIpIndex(context, crypto.index),
    })
    return { kind: 'done', done: from !== to ? 'statusChanged' : 'customerNoteSent' }
  })
}

export async function addInternalReturnNote(
  actor: StaffActor,
  { referenceParam, form }: { referenceParam: string | undefined; form: FormData },
): Promise<ReturnActionAnswer> {
  const parsed = readForm(form, internalNoteForm)
  if (!parsed.success)
    return { kind: 'invalid', form: 'note', errors: firstErrors<'note'>(parsed.error.issues) }
  const reference = referenceOf(referenceParam)
  if (!reference) return { kind: 'notFound' }
  const note = parsed.data.note as string
  const { db, crypto, session, context } = actor
  return withTransaction(db, async (tx): Promise<ReturnActionAnswer> => {
    const row = await findReturnRequest(tx, reference)
    if (!row) return { kind: 'notFound' }
    await addReturnEvent(tx, crypto.keyring, {
      requestId: row.id,
      kind: 'internal_note',
      staffId: session.staffId,
      note,
      now: Date.now(),
    })
    await appendAuditEntry(tx, {
      actor: staffActorOf({ session }),
      action: 'return.note_added',
      target: { kind: 'return', id: reference },
      outcome: 'success',
      clientIpIndex: auditClientIpIndex(context, crypto.index),
      detail: { kind: 'internal' },
    })
    return { kind: 'done', done: 'noteAdded' }
  })
}
