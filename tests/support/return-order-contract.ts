import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PortalDatabase } from '~db/database'
import { addDraftPhoto, createDraft, listDraftPhotos } from '~db/return-drafts'
import { addReturnEvent, fileDraftAsRequest, listRequestPhotos, listReturnEvents } from '~db/return-requests'
import { createKeyring } from '~db/seal'
import { testSecrets } from './secrets'

/**
 * A return's photos and history listed in the order they came, on each
 * backend, though the photos of one post and the events of one change share
 * their moment and their random IDs say nothing of order. `open` gives a
 * freshly migrated database and a way to be rid of it.
 */
export function describeReturnOrderContract(
  backend: string,
  open: () => Promise<{ db: PortalDatabase; remove: () => Promise<void> }>,
) {
  describe(`a return's photos and events on ${backend}`, () => {
    const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
    const NOW = 1_800_000_000_000
    // Enough rows that the random IDs' order matching the arrival order by chance is out of the question.
    const COUNT = 8
    let db: PortalDatabase
    let remove: () => Promise<void>

    beforeAll(async () => {
      ;({ db, remove } = await open())
    })

    afterAll(async () => {
      await remove()
    })

    async function draftWithPhotos(count: number) {
      const draftId = await createDraft(db, { tokenHash: randomBytes(32), now: NOW })
      const photoIds: string[] = []
      for (let width = 1; width <= count; width++) {
        const photo = { mediaType: 'image/jpeg', width, height: 1, bytes: Buffer.from([width]) }
        photoIds.push(await addDraftPhoto(db, keyring, { draftId, photo, now: NOW }))
      }
      return { draftId, photoIds }
    }

    it("lists a draft's photos of one moment in the order they came, and the request's after filing", async () => {
      const { draftId, photoIds } = await draftWithPhotos(COUNT)
      const other = await draftWithPhotos(2)
      expect((await listDraftPhotos(db, draftId)).map((photo) => photo.id)).toEqual(photoIds)
      expect((await listDraftPhotos(db, draftId)).map((photo) => photo.width)).toEqual(
        Array.from({ length: COUNT }, (_, index) => index + 1),
      )
      const requestId = await fileDraftAsRequest(db, keyring, {
        draftId,
        reference: `R-ORDER-${randomBytes(3).toString('hex')}`,
        humanId: undefined,
        emailIndex: randomBytes(32),
        reason: 'damaged',
        details: {},
        now: NOW,
      })
      expect((await listRequestPhotos(db, requestId)).map((photo) => photo.id)).toEqual(photoIds)
      expect((await listDraftPhotos(db, other.draftId)).map((photo) => photo.id)).toEqual(other.photoIds)
    })

    it("lists a request's events of one moment in the order they came", async () => {
      const { draftId } = await draftWithPhotos(0)
      const requestId = await fileDraftAsRequest(db, keyring, {
        draftId,
        reference: `R-EVENTS-${randomBytes(3).toString('hex')}`,
        humanId: undefined,
        emailIndex: randomBytes(32),
        reason: 'other',
        details: {},
        now: NOW,
      })
      const eventIds: string[] = []
      for (let index = 0; index < COUNT; index++) {
        eventIds.push(
          await addReturnEvent(db, keyring, {
            requestId,
            kind: 'internal_note',
            staffId: 'S0000000001',
            note: `note ${index}`,
            now: NOW,
          }),
        )
      }
      const events = await listReturnEvents(db, keyring, requestId)
      expect(events.map((event) => event.kind)).toEqual(['filed', ...eventIds.map(() => 'internal_note')])
      expect(events.slice(1).map((event) => event.id)).toEqual(eventIds)
      expect(events.slice(1).map((event) => event.note)).toEqual(eventIds.map((_, index) => `note ${index}`))
    })
  })
}
