import type { AppLoadContext } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { maskEmail } from '~/exposure/mask'
import type { StaffSession } from '~/staff/staff-session.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { RETURN_PHOTO_ID_PATTERN } from '~db/return-drafts'
import {
  findReturnRequest,
  listRequestPhotos,
  listReturnEvents,
  RETURN_REFERENCE_PATTERN,
  type ReturnEvent,
  readRequestDetails,
  readRequestPhoto,
} from '~db/return-requests'
import type { ReturnReason, ReturnStatus } from '~db/schema'
import type { ReturnDetails } from './return-details'

/**
 * `/staff/returns/:reference` and its photos: one request as staff see it
 * (the contact address masked as the case page masks it), each open and each
 * photo looked at one audit entry naming the reference, never what the
 * customer wrote.
 */

export type StaffActor = {
  db: PortalDatabase
  crypto: PortalCrypto
  session: Pick<StaffSession, 'staffId'>
  context: AppLoadContext
}

export type ReturnRequestView = {
  reference: string
  reason: ReturnReason
  otherReason: string | null
  status: ReturnStatus
  filedAt: number
  numberKind: ReturnDetails['numberKind']
  number: string
  description: string
  maskedEmail: string | null
  humanId: number | null
  photos: { id: string; width: number; height: number }[]
  events: ReturnEvent[]
}

/** A reference from the address, exactly as printed; anything else is no request (checked before a lookup). */
export function referenceOf(param: string | undefined) {
  return param !== undefined && param.length === 14 && RETURN_REFERENCE_PATTERN.test(param)
    ? param
    : undefined
}

export const staffActorOf = ({ session }: Pick<StaffActor, 'session'>) =>
  ({ kind: 'staff', id: session.staffId }) as const

/**
 * The request and its history, with the open written down. An unknown but
 * well-formed reference is written down too (as a failure): a run of them is
 * someone guessing.
 */
export async function openReturnRequest(
  actor: StaffActor,
  referenceParam: string | undefined,
): Promise<ReturnRequestView | undefined> {
  const reference = referenceOf(referenceParam)
  if (!reference) return undefined
  const { db, crypto, session, context } = actor
  return withTransaction(db, async (tx) => {
    const row = await findReturnRequest(tx, reference)
    await appendAuditEntry(tx, {
      actor: staffActorOf({ session }),
      action: 'return.opened',
      target: { kind: 'return', id: reference },
      outcome: row ? 'success' : 'failure',
      clientIpIndex: auditClientIpIndex(context, crypto.index),
      detail: row ? {} : { reason: 'not_found' },
    })
    if (!row) return undefined
    const details = readRequestDetails<ReturnDetails>(crypto.keyring, row)
    return {
      reference: row.reference,
      reason: row.reason,
      otherReason: row.reason === 'other' ? (details.otherReason ?? null) : null,
      status: row.status,
      filedAt: row.createdAt,
      numberKind: details.numberKind,
      number: details.number,
      description: details.description,
      maskedEmail: maskEmail(details.email),
      humanId: row.humanId,
      photos: (await listRequestPhotos(tx, row.id)).map(({ id, width, height }) => ({ id, width, height })),
      events: await listReturnEvents(tx, crypto.keyring, row.id),
    }
  })
}

/**
 * One photo's bytes, for a staff member's browser alone; undefined for a
 * malformed ID, an unknown one, or one of another request (all the same 404).
 */
export async function openReturnPhoto(
  actor: StaffActor,
  { referenceParam, photoIdParam }: { referenceParam: string | undefined; photoIdParam: string | undefined },
) {
  const reference = referenceOf(referenceParam)
  const photoId =
    photoIdParam !== undefined && photoIdParam.length === 33 && RETURN_PHOTO_ID_PATTERN.test(photoIdParam)
      ? photoIdParam
      : undefined
  if (!reference || !photoId) return undefined
  const { db, crypto, session, context } = actor
  return withTransaction(db, async (tx) => {
    const row = await findReturnRequest(tx, reference)
    const photo = row ? await readRequestPhoto(tx, crypto.keyring, { requestId: row.id, photoId }) : undefined
    await appendAuditEntry(tx, {
      actor: staffActorOf({ session }),
      action: 'return.photo_viewed',
      target: { kind: 'return', id: reference },
      outcome: photo ? 'success' : 'failure',
      clientIpIndex: auditClientIpIndex(context, crypto.index),
      detail: photo ? { photo: photoId } : { reason: 'not_found' },
    })
    return photo
  })
}
