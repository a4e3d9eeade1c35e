import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionStore, SESSION_IDLE_MS } from '~/session/session.server'
import { type PortalDatabase, prepared } from '~db/database'
import {
  findLetterCodeHolder,
  listLetterCodeUses,
  recordLetterCodeFailure,
  recordLetterCodeUse,
  unlockLetterCode,
} from '~db/letter-codes'
import { clearHits, countInWindow, deleteOldWindows, recordHit } from '~db/rate-limits'
import { findSession } from '~db/sessions'
import {
  deleteEmailChallenge,
  findEmailChallenge,
  recordEmailChallengeFailure,
  replaceEmailChallenge,
  withdrawEmailChallenge,
} from '~db/verification'
import { testSecrets } from './secrets'

export type TwoNodes = {
  db: PortalDatabase
  /** The same database as another process or node sees it: a connection (or pool) of its own. */
  anotherNode(): PortalDatabase
  remove(): Promise<void>
}

const HOUR = 60 * 60 * 1000
const T0 = Date.UTC(2026, 1, 20, 9, 0, 0)

/**
 * What the portal's nodes share through the data layer, run on each backend
 * with two nodes on one database: a session begun on one is live on the
 * other, limits and wrong tries count across both, atomically, and a letter
 * code locks at the same count whichever node counted. `open` gives a freshly
 * migrated database.
 */
export function describeDataLayerContract(backend: string, open: () => Promise<TwoNodes>) {
  describe(`the data layer shared by two nodes on ${backend}`, () => {
    let nodes: TwoNodes
    let db: PortalDatabase
    let other: PortalDatabase
    let humans = 0

    beforeAll(async () => {
      nodes = await open()
      db = nodes.db
      other = nodes.anotherNode()
    })

    afterAll(async () => {
      await nodes.remove()
    })

    /** A person with one issued postcard notice; answers the human's ID and the notification's. */
    async function notifiedHuman() {
      const humanId = ++humans
      await prepared(
        db,
        `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
         values (?, ?, 'member', ?, 0, ?)`,
      ).run(humanId, humanId, randomBytes(32), Buffer.from('sealed'))
      const messageId = await prepared(
        db,
        `insert into messages (reference_index, human_id, channel, purpose)
         values (?, ?, 'postcard', 'notification') returning id`,
      ).value<number>(randomBytes(32), humanId)
      const letterCodeIndex = randomBytes(32)
      const notificationId = await prepared(
        db,
        `insert into notifications (human_id, channel, message_id, letter_code_index)
         values (?, 'postcard', ?, ?) returning id`,
      ).value<number>(humanId, messageId ?? null, letterCodeIndex)
      return { humanId, notificationId: Number(notificationId), letterCodeIndex }
    }

    describe('customer sessions', () => {
      const secrets = [testSecrets().SESSION_SECRET] as const
      let clock = T0
      const storeOn = (on: PortalDatabase) =>
        createSessionStore({ db: on, secrets, isProduction: false, now: () => clock })
      const request = (setCookie?: string) =>
        new Request('http://localhost:3000/exposure', {
          headers: setCookie ? { Cookie: setCookie.split(';')[0] as string } : {},
        })

      it('begun and verified on one node, are live on the other, and end on both', async () => {
        const { humanId } = await notifiedHuman()
        const [first, second] = [storeOn(db), storeOn(other)]
        const { setCookie } = await first.saveChallenge(request(), { type: 'email', step: 1 })
        expect(await second.getCustomerSession(request(setCookie))).toEqual({
          humanId: null,
          challenge: { type: 'email', step: 1 },
        })
        const verified = await second.startVerifiedSession(request(setCookie), humanId)
        expect(await first.getCustomerSession(request(setCookie))).toBeNull()
        expect(await first.requireVerifiedHuman(request(verified))).toBe(humanId)
        clock += SESSION_IDLE_MS - 1
        expect(await second.requireVerifiedHuman(request(verified))).toBe(humanId)
        await first.endSession(request(verified))
        expect(await second.getCustomerSession(request(verified))).toBeNull()
      })

      it('end when idle on whichever node sees them next, the row deleted', async () => {
        const { humanId } = await notifiedHuman()
        const cookie = await storeOn(db).startVerifiedSession(request(), humanId)
        clock += SESSION_IDLE_MS
        expect(await storeOn(other).getCustomerSession(request(cookie))).toBeNull()
        const sessions = await prepared(db, 'select count(*) from sessions where human_id = ?').value<number>(
          humanId,
        )
        expect(sessions).toBe(0)
        expect(await findSession(db, randomBytes(32))).toBeUndefined()
      })
    })

    describe('rate-limit counters', () => {
      const keyIndex = randomBytes(16)

      it('give hits made at once on both nodes a total each', async () => {
        const window = { bucket: 'at-once', keyIndex, windowMs: HOUR, now: T0 }
        const totals = await Promise.all(
          Array.from({ length: 20 }, (_, i) => recordHit(i % 2 === 0 ? db : other, window)),
        )
        expect([...totals].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
        expect(await countInWindow(other, window)).toBe(20)
      })

      it('count per fixed window, and forget one key or every window begun too long ago', async () => {
        const window = { bucket: 'windows', keyIndex, windowMs: HOUR }
        expect(await recordHit(db, { ...window, now: T0 - 3 * HOUR })).toBe(1)
        expect(await recordHit(other, { ...window, now: T0 + 5 })).toBe(1)
        expect(await recordHit(db, { ...window, now: T0 + HOUR - 1 })).toBe(2)
        await recordHit(db, { ...window, keyIndex: Buffer.alloc(16, 9), now: T0 })
        expect(await deleteOldWindows(other, T0 - HOUR)).toBe(1)
        expect(await countInWindow(db, { ...window, now: T0 - 3 * HOUR })).toBe(0)
        expect(await clearHits(other, { bucket: 'windows', keyIndex })).toBe(1)
        expect(await countInWindow(db, { ...window, now: T0 })).toBe(0)
        expect(await countInWindow(db, { ...window, keyIndex: Buffer.alloc(16, 9), now: T0 })).toBe(1)
      })
    })

    describe('e-mail codes', () => {
      it('count wrong tries made at once on both nodes, each try once, across a new code', async () => {
        const targetIndex = randomBytes(32)
        const targets = [targetIndex, randomBytes(32)] as const
        await replaceEmailChallenge(db, {
          targetIndex,
          codeHash: randomBytes(32),
          expiresAt: T0 + HOUR,
          now: T0,
        })
        const counts = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            recordEmailChallengeFailure(i % 2 === 0 ? db : other, targetIndex),
          ),
        )
        expect(counts.map((count) => count?.failures).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
          Array.from({ length: 12 }, (_, i) => i + 1),
        )
        const codeHash = randomBytes(32)
        await replaceEmailChallenge(other, {
          targetIndex,
          codeHash,
          expiresAt: T0 + 2 * HOUR,
          now: T0 + HOUR,
        })
        expect(await findEmailChallenge(db, targets)).toEqual({
          targetIndex,
          codeHash,
          failures: 0,
          consecutiveFailures: 12,
          expiresAt: T0 + 2 * HOUR,
          createdAt: T0 + HOUR,
        })
        await withdrawEmailChallenge(db, { targets, type: 'email-code', now: T0 + HOUR + 1 })
        expect((await findEmailChallenge(other, targets))?.expiresAt).toBe(T0 + HOUR + 1)
        await deleteEmailChallenge(other, targetIndex)
        expect(await findEmailChallenge(db, targets)).toBeUndefined()
      })
    })

    describe('letter codes', () => {
      it('lock at the same count of wrong tries made at once on both nodes, until staff unlock them', async () => {
        const { notificationId, letterCodeIndex } = await notifiedHuman()
        const digests = [randomBytes(32), letterCodeIndex] as const
        await Promise.all(
          Array.from({ length: 9 }, (_, i) =>
            recordLetterCodeFailure(i % 2 === 0 ? db : other, notificationId, { lockAfter: 5, now: T0 + i }),
          ),
        )
        expect(await findLetterCodeHolder(other, digests)).toMatchObject({
          notificationId,
          failures: 9,
          locked: true,
        })
        await unlockLetterCode(other, notificationId)
        expect(await findLetterCodeHolder(db, digests)).toMatchObject({ failures: 0, locked: false })
      })

      it('record each use, and forgive the wrong tries before it', async () => {
        const { notificationId, letterCodeIndex } = await notifiedHuman()
        await recordLetterCodeFailure(db, notificationId, { lockAfter: 5, now: T0 })
        await recordLetterCodeUse(db, notificationId, T0 + 1)
        await recordLetterCodeUse(other, notificationId, T0 + 2)
        expect(await listLetterCodeUses(other, notificationId)).toEqual([new Date(T0 + 1), new Date(T0 + 2)])
        expect(await findLetterCodeHolder(db, [letterCodeIndex, randomBytes(32)])).toMatchObject({
          failures: 0,
          locked: false,
        })
        const usedAt = await prepared(
          db,
          'select letter_code_used_at from notifications where id = ?',
        ).value<number>(notificationId)
        expect(usedAt).toBe(T0 + 1)
      })
    })
  })
}
