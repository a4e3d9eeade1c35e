import { eq } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PortalDatabase, prepared, tentatively, withTransaction } from '~db/database'
import { sessions } from '~db/schema'

/**
 * What `db/` modules rely on from the portal database (db/database.ts), run
 * on each backend: drizzle's builders and hand-written statements on a
 * migrated database, values as the schema maps them, and transactions.
 * `open` gives a freshly migrated database and a way to be rid of it.
 */
export function describePortalDatabaseContract(
  backend: string,
  open: () => Promise<{ db: PortalDatabase; remove: () => Promise<void> }>,
) {
  describe(`the portal database on ${backend}`, () => {
    let db: PortalDatabase
    let remove: () => Promise<void>
    const idHash = (n: number) => Buffer.alloc(32, n)
    const expiresAt = new Date(Date.UTC(2026, 2, 1, 9, 30, 15, 123))
    const newSession = (n: number) => ({ idHash: idHash(n), kind: 'customer' as const, expiresAt })

    beforeAll(async () => {
      ;({ db, remove } = await open())
    })

    afterAll(async () => {
      await remove()
    })

    it('builds queries that map moments to Dates and bytes to Buffers both ways', async () => {
      const inserted = await db
        .insert(sessions)
        .values({ ...newSession(1), challenge: '{"step":1}' })
        .returning({ idHash: sessions.idHash, expiresAt: sessions.expiresAt })
        .get()
      expect(inserted).toEqual({ idHash: idHash(1), expiresAt })
      const row = await db
        .select()
        .from(sessions)
        .where(eq(sessions.idHash, idHash(1)))
        .get()
      expect(row?.expiresAt).toEqual(expiresAt)
      expect(row?.createdAt).toBeInstanceOf(Date)
      expect(row?.humanId).toBeNull()
      expect(
        await db
          .select()
          .from(sessions)
          .where(eq(sessions.idHash, idHash(9)))
          .get(),
      ).toBeUndefined()
      expect(await db.select({ kind: sessions.kind }).from(sessions).all()).toEqual([{ kind: 'customer' }])
    })

    it('keeps apart columns of one name from a join', async () => {
      await db.insert(sessions).values(newSession(2)).run()
      const other = alias(sessions, 'other')
      const rows = await db
        .select({ mine: sessions.idHash, theirs: other.idHash })
        .from(sessions)
        .innerJoin(other, eq(other.expiresAt, sessions.expiresAt))
        .where(eq(sessions.idHash, idHash(2)))
        .all()
      expect(rows).toHaveLength(2)
      expect(rows.every((row) => row.mine.equals(idHash(2)))).toBe(true)
      expect(rows.map((row) => row.theirs[0]).sort()).toEqual([1, 2])
    })

    it('runs hand-written statements, whose quoted names keep their case on both', async () => {
      const session = await prepared<{ idHash: Buffer; expiresAt: number }>(
        db,
        'select id_hash as "idHash", expires_at as "expiresAt" from sessions where id_hash = ?',
      ).get(idHash(1))
      expect(session).toEqual({ idHash: idHash(1), expiresAt: expiresAt.getTime() })
      const changed = await prepared(db, 'update sessions set challenge = ? where expires_at = ?').run(
        null,
        expiresAt.getTime(),
      )
      expect(changed).toEqual({ changes: 2 })
    })

    it('commits a transaction that resolves and undoes one that throws, builders included', async () => {
      await withTransaction(db, async (tx) => {
        await tx.insert(sessions).values(newSession(3)).run()
      })
      await expect(
        withTransaction(db, async (tx) => {
          await tx.insert(sessions).values(newSession(4)).run()
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
      const kept = await db.select({ idHash: sessions.idHash }).from(sessions).all()
      expect(kept.map((row) => row.idHash[0]).sort()).toEqual([1, 2, 3])
    })

    it('keeps or undoes tentative work inside a transaction, and the transaction goes on', async () => {
      await withTransaction(db, async (tx) => {
        await tentatively(tx, { keep: false }, async (savepoint) => {
          await savepoint.insert(sessions).values(newSession(5)).run()
        })
        await tentatively(tx, { keep: true }, async (savepoint) => {
          await savepoint.insert(sessions).values(newSession(6)).run()
        })
        await tx.insert(sessions).values(newSession(7)).run()
      })
      const kept = await db.select({ idHash: sessions.idHash }).from(sessions).all()
      expect(kept.map((row) => row.idHash[0]).sort()).toEqual([1, 2, 3, 6, 7])
    })
  })
}
