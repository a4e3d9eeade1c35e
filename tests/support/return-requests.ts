import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import type { ReturnDetails } from '~/returns/return-details'
import { newReturnReference } from '~/returns/return-reference.server'
import type { SqliteDatabase } from '~db/client'
import { type PortalDatabase, withTransaction } from '~db/database'
import { normaliseEmail } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import { addDraftPhoto, createDraft } from '~db/return-drafts'
import { fileDraftAsRequest } from '~db/return-requests'
import type { ReturnReason } from '~db/schema'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * Return requests as the customer's side files them (a draft, its photos,
 * the filing), written straight into a test's database: what the staff
 * pages' tests start from.
 */

export type SeededReturn = { reference: string; photoIds: string[] }

/** A small real JPEG, its colour set by `red`: `width` × `height` pixels. */
export function testJpeg(width: number, height: number, red: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: red, g: 80, b: 40 } } })
    .jpeg()
    .toBuffer()
}

/** Photo n (from 0) is (64 + 8n) × 48 pixels, so each can be told by its size. */
export const seededPhotoSize = (position: number) => ({ width: 64 + position * 8, height: 48 })

type TestReturn = {
  ageMs: number
  reason: ReturnReason
  email: string
  details: Omit<ReturnDetails, 'email'>
  photos: number
  linkTo?: number
}

export function fileTestReturn(db: SqliteDatabase, crypto: PortalCrypto, request: TestReturn) {
  return fileTestReturnIn(sqlitePortalDatabase(db), crypto, request)
}

/** As `fileTestReturn`, into a portal database on either backend (a running portal's, say). */
export async function fileTestReturnIn(
  db: PortalDatabase,
  crypto: PortalCrypto,
  { ageMs, reason, email, details, photos, linkTo }: TestReturn,
): Promise<SeededReturn> {
  const now = Date.now() - ageMs
  const images = await Promise.all(
    Array.from({ length: photos }, async (_, position) => {
      const size = seededPhotoSize(position)
      return { ...size, bytes: await testJpeg(size.width, size.height, 40 * position) }
    }),
  )
  const reference = newReturnReference()
  const photoIds = await withTransaction(db, async (tx) => {
    const draftId = await createDraft(tx, { tokenHash: randomBytes(32), now })
    const ids: string[] = []
    for (const image of images)
      ids.push(
        await addDraftPhoto(tx, crypto.keyring, {
          draftId,
          photo: { mediaType: 'image/jpeg', ...image },
          now,
        }),
      )
    await fileDraftAsRequest(tx, crypto.keyring, {
      draftId,
      reference,
      humanId: linkTo,
      emailIndex: crypto.index('email', normaliseEmail(email) ?? email),
      reason,
      details: { email, ...details } satisfies ReturnDetails,
      now,
    })
    return ids
  })
  return { reference, photoIds }
}
