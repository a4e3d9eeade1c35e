import type { Language } from '~/i18n/config'
import type { Refused } from '~/verify/email-code-request.server'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { findReturnRequest, listRequestPhotos, listReturnEvents } from '~db/return-requests'
import type { ReturnReason, ReturnStatus } from '~db/return-vocabulary'
import {
  checkReturnCode,
  type ReturnCodeCheck,
  returnEmailDigests,
  sendReturnCode,
} from './return-code.server'

/**
 * A customer looking up their request: the reference and the contact
 * address, then the code sent to that address. The code goes to whatever
 * address is typed, request or none, so the first step tells nobody whether
 * a reference exists or whose it is; only the holder of the address, with
 * the code, learns that, and only for requests made with that address.
 */

type Context = { db: PortalDatabase; crypto: PortalCrypto; now: number }

export type StatusLookup = { reference: string; email: { matched: string; shown: string } }

export async function askForStatusCode(
  context: Context,
  { lookup, language, portalAddress }: { lookup: StatusLookup; language: Language; portalAddress: string },
): Promise<{ limited: false } | Refused> {
  return withTransaction(context.db, async (tx) =>
    sendReturnCode(
      { ...context, db: tx },
      {
        purpose: 'return-status',
        email: lookup.email.matched,
        displayEmail: lookup.email.shown,
        language,
        portalAddress,
      },
    ),
  )
}

export type ReturnStatusView = {
  reference: string
  status: ReturnStatus
  reason: ReturnReason
  filedAt: number
  updatedAt: number
  photoCount: number
  /** What the returns desk wrote to the customer, oldest first; internal notes never. */
  notes: { at: number; text: string }[]
}

export type StatusOutcome =
  | { kind: 'refused'; reason: Exclude<ReturnCodeCheck, { ok: true }>['reason'] }
  | { kind: 'notFound' }
  | { kind: 'found'; view: ReturnStatusView }

export async function openReturnStatus(
  context: Context,
  { lookup, typedCode }: { lookup: StatusLookup; typedCode: string },
): Promise<StatusOutcome> {
  const emailDigests = returnEmailDigests(context.crypto, lookup.email.matched)
  return withTransaction(context.db, async (tx): Promise<StatusOutcome> => {
    const check = await checkReturnCode(
      { ...context, db: tx },
      { purpose: 'return-status', emailDigests, typedCode },
    )
    if (!check.ok) return { kind: 'refused', reason: check.reason }
    const request = await findReturnRequest(tx, lookup.reference)
    // The request's digest is under the index key of its day: the current one or the previous one.
    if (!request || !emailDigests.some((digest) => digest.equals(request.emailIndex)))
      return { kind: 'notFound' }
    const notes = (await listReturnEvents(tx, context.crypto.keyring, request.id))
      .filter((event) => event.kind === 'customer_note' && event.note !== null)
      .map((event) => ({ at: event.at, text: event.note as string }))
    return {
      kind: 'found',
      view: {
        reference: request.reference,
        status: request.status,
        reason: request.reason,
        filedAt: request.createdAt,
        updatedAt: request.updatedAt,
        photoCount: (await listRequestPhotos(tx, request.id)).length,
        notes,
      },
    }
  })
}
