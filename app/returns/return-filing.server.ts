import { queueReturnEmail } from '~/mail/queue-email.server'
import { appendAuditEntry } from '~db/audit-log'
import { withTransaction } from '~db/database'
import { normaliseEmail } from '~db/normalise'
import { listDraftPhotos, readDraftDetails } from '~db/return-drafts'
import { fileDraftAsRequest } from '~db/return-requests'
import { findHumanIdByEmail } from '~db/subjects'
import {
  checkReturnCode,
  type ReturnCodeCheck,
  returnCodeState,
  returnEmailDigests,
  sendReturnCode,
} from './return-code.server'
import { currentDraft, type DraftContext, type DraftDetails } from './return-draft.server'
import { newReturnReference } from './return-reference.server'

/**
 * The code entered: the draft becomes a filed request with its RT- reference,
 * linked to the case of whoever in the data holds the contact address (if
 * anyone), the receipt is queued to that address, and the filing is audited,
 * all in one transaction.
 */

export type FilingOutcome =
  | { kind: 'noDraft' }
  | { kind: 'refused'; reason: Exclude<ReturnCodeCheck, { ok: true }>['reason']; sentTo: string }
  | { kind: 'filed'; reference: string; email: string }

/**
 * The draft waiting for its code, with the address the code went to; undefined when there is none.
 * The address's digests come from the address itself, not the draft's stored one: the code and the
 * people who hold the address are found under the current index key or the previous one, whichever
 * the portal made them under.
 */
export async function draftAwaitingCode(context: DraftContext, request: Request) {
  const draft = await currentDraft(context, request)
  if (!draft?.emailIndex) return undefined
  const details = readDraftDetails<DraftDetails>(context.crypto.keyring, draft)
  if (!details?.ready) return undefined
  const email = details.ready.email
  const emailDigests = returnEmailDigests(context.crypto, normaliseEmail(email) ?? email)
  const state = await returnCodeState(
    { db: context.db, now: context.now },
    { purpose: 'return-code', emailDigests },
  )
  return { draft, emailDigests, details: details.ready, state }
}

export async function fileReturnWithCode(
  context: DraftContext,
  {
    request,
    typedCode,
    clientIpIndex,
    portalAddress,
  }: { request: Request; typedCode: string; clientIpIndex: Buffer; portalAddress: string },
): Promise<FilingOutcome> {
  const { db, crypto, now } = context
  const waiting = await draftAwaitingCode(context, request)
  if (!waiting) return { kind: 'noDraft' }
  const { draft, emailDigests, details } = waiting
  return withTransaction(db, async (tx): Promise<FilingOutcome> => {
    const check = await checkReturnCode(
      { db: tx, crypto, now },
      { purpose: 'return-code', emailDigests, typedCode },
    )
    if (!check.ok) return { kind: 'refused', reason: check.reason, sentTo: details.email }
    const reference = newReturnReference()
    const humanId = await findHumanIdByEmail(tx, emailDigests)
    const photoCount = (await listDraftPhotos(tx, draft.id)).length
    await fileDraftAsRequest(tx, crypto.keyring, {
      draftId: draft.id,
      reference,
      humanId,
      // Stored under the current index key, as every digest written is.
      emailIndex: emailDigests[0],
      reason: details.reason,
      details,
      now,
    })
    await queueReturnEmail({
      db: tx,
      crypto,
      content: {
        kind: 'return_received',
        to: details.email,
        input: { language: details.language, reference, reason: details.reason, photoCount, portalAddress },
      },
    })
    await appendAuditEntry(
      tx,
      {
        actor: { kind: 'system', id: 'returns-form' },
        action: 'return.filed',
        target: { kind: 'return', id: reference },
        outcome: 'success',
        clientIpIndex,
        detail: { reason: details.reason, photos: photoCount, linked: humanId !== undefined },
      },
      { now },
    )
    return { kind: 'filed', reference, email: details.email }
  })
}

/** "Send a new code" for the draft waiting for one; undefined when none waits. */
export async function resendReturnCode(
  context: DraftContext,
  { request, portalAddress }: { request: Request; portalAddress: string },
) {
  const waiting = await draftAwaitingCode(context, request)
  if (!waiting) return undefined
  const { details } = waiting
  return withTransaction(context.db, async (tx) =>
    sendReturnCode(
      { ...context, db: tx },
      {
        purpose: 'return-code',
        email: normaliseEmail(details.email) ?? details.email,
        displayEmail: details.email,
        language: details.language,
        portalAddress,
      },
    ),
  )
}
