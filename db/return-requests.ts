import { randomBytes } from 'node:crypto'
import { and, asc, count, eq, inArray, lte, type SQL } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
import { photoContext } from './return-drafts'
import { type ReturnEventKind, type ReturnReason, type ReturnStatus, returnRequests } from './schema'
import { type Keyring, seal, unseal } from './seal'

/**
 * Filed return requests, their photos and their history. A request's details
 * are sealed with its reference (which never changes), a note with its
 * event's random ID, a photo with its own. Callers hold the transaction and
 * write the audit entry in it.
 */

export { RETURN_REFERENCE_PATTERN } from './return-vocabulary'

export type ReturnQueueRow = {
  id: number
  reference: string
  reason: ReturnReason
  status: ReturnStatus
  humanId: number | null
  createdAt: number
  updatedAt: number
  photoCount: number
}

export type ReturnEvent = {
  id: string
  kind: ReturnEventKind
  status: ReturnStatus | null
  staffId: string | null
  note: string | null
  at: number
}

export const detailsContext = (reference: string) => `return_requests:${reference}:details`
export const noteContext = (eventId: string) => `return_events:${eventId}:note`

/**
 * The draft becomes the request: its photos move over, its history starts
 * with `filed`, and the draft is gone. Returns the request's row ID.
 */
export async function fileDraftAsRequest<T>(
  db: PortalDatabase,
  keyring: Keyring,
  {
    draftId,
    reference,
    humanId,
    emailIndex,
    reason,
    details,
    now,
  }: {
    draftId: number
    reference: string
    humanId: number | undefined
    emailIndex: Buffer
    reason: ReturnReason
    details: T
    now: number
  },
): Promise<number> {
  const sealed = seal({ keyring, context: detailsContext(reference), plaintext: JSON.stringify(details) })
  const requestId = Number(
    await prepared(
      db,
      `insert into return_requests (reference, human_id, email_index, reason, status, details_sealed, created_at, updated_at)
       values (?, ?, ?, ?, 'new', ?, ?, ?) returning id`,
    ).value<number>(reference, humanId ?? null, emailIndex, reason, sealed, now, now),
  )
  await prepared(db, 'update return_photos set request_id = ?, draft_id = null where draft_id = ?').run(
    requestId,
    draftId,
  )
  await prepared(db, 'delete from return_drafts where id = ?').run(draftId)
  await addReturnEvent(db, keyring, { requestId, kind: 'filed', status: 'new', now })
  return requestId
}

export async function addReturnEvent(
  db: PortalDatabase,
  keyring: Keyring,
  {
    requestId,
    kind,
    status = null,
    staffId = null,
    note,
    now,
  }: {
    requestId: number
    kind: ReturnEventKind
    status?: ReturnStatus | null
    staffId?: string | null
    note?: string
    now: number
  },
): Promise<string> {
  const id = `E${randomBytes(10).toString('hex')}`
  const noteSealed = note === undefined ? null : seal({ keyring, context: noteContext(id), plaintext: note })
  // Numbered after the request's other events (as `addDraftPhoto` numbers photos).
  await prepared(
    db,
    `insert into return_events (id, request_id, kind, status, staff_id, note_sealed, created_at, arrival)
     values (?, ?, ?, ?, ?, ?, ?, (select coalesce(max(arrival), 0) + 1 from return_events where request_id = ?))`,
  ).run(id, requestId, kind, status, staffId, noteSealed, now, requestId)
  return id
}

export async function setReturnStatus(
  db: PortalDatabase,
  { requestId, status, now }: { requestId: number; status: ReturnStatus; now: number },
) {
  await prepared(db, 'update return_requests set status = ?, updated_at = ? where id = ?').run(
    status,
    now,
    requestId,
  )
}

type RequestRow = Omit<ReturnQueueRow, 'photoCount'> & { emailIndex: Buffer; detailsSealed: Buffer }

export async function findReturnRequest(
  db: PortalDatabase,
  reference: string,
): Promise<RequestRow | undefined> {
  return prepared<RequestRow>(
    db,
    `select id, reference, reason, status, human_id as "humanId", created_at as "createdAt",
            updated_at as "updatedAt", email_index as "emailIndex", details_sealed as "detailsSealed"
     from return_requests where reference = ?`,
  ).get(reference)
}

export function readRequestDetails<T>(
  keyring: Keyring,
  row: Pick<RequestRow, 'reference' | 'detailsSealed'>,
): T {
  return JSON.parse(
    unseal({ keyring, context: detailsContext(row.reference), sealed: row.detailsSealed }).toString('utf8'),
  ) as T
}

/**
 * Oldest first (`arrival`: a status change and its note share their moment,
 * and the random IDs say nothing of order); notes opened.
 */
export async function listReturnEvents(
  db: PortalDatabase,
  keyring: Keyring,
  requestId: number,
): Promise<ReturnEvent[]> {
  const rows = await prepared<Omit<ReturnEvent, 'note'> & { noteSealed: Buffer | null }>(
    db,
    `select id, kind, status, staff_id as "staffId", note_sealed as "noteSealed", created_at as at
     from return_events where request_id = ? order by arrival, created_at, id`,
  ).all(requestId)
  return rows.map(({ noteSealed, ...event }) => ({
    ...event,
    note:
      noteSealed === null
        ? null
        : unseal({ keyring, context: noteContext(event.id), sealed: noteSealed }).toString('utf8'),
  }))
}

export type RequestPhoto = { id: string; width: number; height: number; byteLength: number }

/** In the order they came to the draft, as `listDraftPhotos` lists them. */
export async function listRequestPhotos(db: PortalDatabase, requestId: number): Promise<RequestPhoto[]> {
  return prepared<RequestPhoto>(
    db,
    `select id, width, height, byte_length as "byteLength" from return_photos
     where request_id = ? order by arrival, created_at, id`,
  ).all(requestId)
}

/** A filed request's photo, opened; undefined for any ID that is not one of that request's. */
export async function readRequestPhoto(
  db: PortalDatabase,
  keyring: Keyring,
  { requestId, photoId }: { requestId: number; photoId: string },
): Promise<{ mediaType: string; bytes: Buffer } | undefined> {
  const row = await prepared<{ mediaType: string; photoSealed: Buffer }>(
    db,
    'select media_type as "mediaType", photo_sealed as "photoSealed" from return_photos where id = ? and request_id = ?',
  ).get(photoId, requestId)
  if (!row) return undefined
  return {
    mediaType: row.mediaType,
    bytes: unseal({ keyring, context: photoContext(photoId), sealed: row.photoSealed }),
  }
}

export type ReturnQueueFilter = {
  statuses: readonly ReturnStatus[]
  reason?: ReturnReason
  /** Only requests filed at or before this time (the queue's "older than" filter). */
  filedBefore?: number
  limit: number
}

/** The staff queue: oldest first, with each request's photo count, and how many match in all. */
export async function listReturnQueue(
  db: PortalDatabase,
  { statuses, reason, filedBefore, limit }: ReturnQueueFilter,
): Promise<{ rows: ReturnQueueRow[]; total: number }> {
  const conditions: SQL[] = [inArray(returnRequests.status, [...statuses])]
  if (reason) conditions.push(eq(returnRequests.reason, reason))
  if (filedBefore !== undefined) conditions.push(lte(returnRequests.createdAt, new Date(filedBefore)))
  const where = and(...conditions)
  const rows = await db
    .select({ id: returnRequests.id })
    .from(returnRequests)
    .where(where)
    .orderBy(asc(returnRequests.createdAt), asc(returnRequests.id))
    .limit(limit)
    .all()
  const total = (await db.select({ n: count() }).from(returnRequests).where(where).get())?.n ?? 0
  const summary = prepared<ReturnQueueRow>(
    db,
    `select r.id, r.reference, r.reason, r.status, r.human_id as "humanId", r.created_at as "createdAt",
            r.updated_at as "updatedAt", (select count(*) from return_photos p where p.request_id = r.id) as "photoCount"
     from return_requests r where r.id = ?`,
  )
  const summaries: ReturnQueueRow[] = []
  for (const row of rows) summaries.push((await summary.get(row.id)) as ReturnQueueRow)
  return { rows: summaries, total }
}

/** How many requests are in each status, for the queue's filter labels. */
export async function countReturnsByStatus(db: PortalDatabase): Promise<Record<ReturnStatus, number>> {
  const counts: Record<ReturnStatus, number> = {
    new: 0,
    in_progress: 0,
    waiting_for_customer: 0,
    resolved: 0,
    rejected: 0,
  }
  const rows = await prepared<{ status: ReturnStatus; n: number }>(
    db,
    'select status, count(*) as n from return_requests group by status',
  ).all()
  for (const row of rows) counts[row.status] = row.n
  return counts
}
