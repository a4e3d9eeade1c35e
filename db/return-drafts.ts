import { randomBytes } from 'node:crypto'
import { type PortalDatabase, prepared, withTransaction } from './database'
import { type Keyring, seal, unseal } from './seal'

/**
 * Return requests being written, and the photos accepted for them so far. A
 * draft is found by the keyed hash of the token in its writer's cookie; what
 * was typed is one sealed JSON document bound to the draft's row, each photo
 * its own sealed blob bound to its random ID. A draft lives a day from its
 * last change; housekeeping removes it and its photos after that.
 */

export const RETURN_DRAFT_TTL_MS = 24 * 60 * 60 * 1000

/** A photo as stored: re-encoded bytes, and what the pages show about it. */
export type StoredPhoto = { mediaType: string; width: number; height: number; bytes: Buffer }

export type PhotoSummary = { id: string; width: number; height: number; byteLength: number }

type DraftRow = { id: number; emailIndex: Buffer | null; detailsSealed: Buffer | null; expiresAt: number }

export const detailsContext = (draftId: number) => `return_drafts:${draftId}:details`
export const photoContext = (photoId: string) => `return_photos:${photoId}:photo`

export { RETURN_PHOTO_ID_PATTERN } from './return-vocabulary'

/** A random photo ID: the only name a photo is ever served under, so it must not be guessable. */
export function newPhotoId() {
  return `P${randomBytes(16).toString('hex')}`
}

export async function findLiveDraft(
  db: PortalDatabase,
  tokenHash: Buffer,
  now: number,
): Promise<DraftRow | undefined> {
  const row = await prepared<DraftRow>(
    db,
    `select id, email_index as "emailIndex", details_sealed as "detailsSealed", expires_at as "expiresAt"
     from return_drafts where token_hash = ?`,
  ).get(tokenHash)
  return row && row.expiresAt > now ? row : undefined
}

/** A new draft; returns its row ID. */
export async function createDraft(
  db: PortalDatabase,
  { tokenHash, now }: { tokenHash: Buffer; now: number },
): Promise<number> {
  const id = await prepared(
    db,
    'insert into return_drafts (token_hash, created_at, updated_at, expires_at) values (?, ?, ?, ?) returning id',
  ).value<number>(tokenHash, now, now, now + RETURN_DRAFT_TTL_MS)
  return Number(id)
}

/** What was typed, sealed over what was there; the draft's day starts again. */
export async function saveDraftDetails<T>(
  db: PortalDatabase,
  keyring: Keyring,
  { draftId, details, now }: { draftId: number; details: T; now: number },
) {
  const sealed = seal({ keyring, context: detailsContext(draftId), plaintext: JSON.stringify(details) })
  await prepared(
    db,
    'update return_drafts set details_sealed = ?, updated_at = ?, expires_at = ? where id = ?',
  ).run(sealed, now, now + RETURN_DRAFT_TTL_MS, draftId)
}

export function readDraftDetails<T>(keyring: Keyring, draft: DraftRow): T | undefined {
  if (!draft.detailsSealed) return undefined
  return JSON.parse(
    unseal({ keyring, context: detailsContext(draft.id), sealed: draft.detailsSealed }).toString('utf8'),
  ) as T
}

/**
 * What of a draft's sealed details its digest is of: the address typed into
 * the whole form, as shown, which the code went to (see `setDraftEmailIndex`).
 */
export type DraftAddressSource = { ready?: { email: string } }

export const draftAddressOf = (details: DraftAddressSource) => details.ready?.email

/** The address a code went to, so the code page checks against the right one. */
export async function setDraftEmailIndex(
  db: PortalDatabase,
  { draftId, emailIndex }: { draftId: number; emailIndex: Buffer },
) {
  await prepared(db, 'update return_drafts set email_index = ? where id = ?').run(emailIndex, draftId)
}

export async function addDraftPhoto(
  db: PortalDatabase,
  keyring: Keyring,
  { draftId, photo, now }: { draftId: number; photo: StoredPhoto; now: number },
): Promise<string> {
  const id = newPhotoId()
  // Numbered after the draft's others. Two posts to one draft at once may share a number: they came
  // at once, and the listings' later keys put them in one order every time.
  await prepared(
    db,
    `insert into return_photos (id, draft_id, media_type, width, height, byte_length, photo_sealed, created_at, arrival)
     values (?, ?, ?, ?, ?, ?, ?, ?, (select coalesce(max(arrival), 0) + 1 from return_photos where draft_id = ?))`,
  ).run(
    id,
    draftId,
    photo.mediaType,
    photo.width,
    photo.height,
    photo.bytes.length,
    seal({ keyring, context: photoContext(id), plaintext: photo.bytes }),
    now,
    draftId,
  )
  return id
}

/**
 * The draft's photos in the order they came (`arrival`): the photos of one
 * post share its moment, and the random IDs say nothing of order.
 */
export async function listDraftPhotos(db: PortalDatabase, draftId: number): Promise<PhotoSummary[]> {
  return prepared<PhotoSummary>(
    db,
    `select id, width, height, byte_length as "byteLength" from return_photos
     where draft_id = ? order by arrival, created_at, id`,
  ).all(draftId)
}

export async function removeDraftPhotos(
  db: PortalDatabase,
  { draftId, photoIds }: { draftId: number; photoIds: string[] },
) {
  const remove = prepared(db, 'delete from return_photos where draft_id = ? and id = ?')
  for (const photoId of photoIds) await remove.run(draftId, photoId)
}

export async function deleteDraft(db: PortalDatabase, draftId: number) {
  await prepared(db, 'delete from return_photos where draft_id = ?').run(draftId)
  await prepared(db, 'delete from return_drafts where id = ?').run(draftId)
}

/** Housekeeping: drafts a day untouched, with their photos, in one transaction. */
export async function deleteExpiredDrafts(db: PortalDatabase, now: number): Promise<number> {
  return withTransaction(db, async (tx) => {
    await prepared(
      tx,
      'delete from return_photos where draft_id in (select id from return_drafts where expires_at <= ?)',
    ).run(now)
    return (await prepared(tx, 'delete from return_drafts where expires_at <= ?').run(now)).changes
  })
}
