import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlRunner, SqlStore } from '~db/sql-store'

/**
 * What every backend of the SQL contract (db/sql-store.ts) must do, run
 * against each: SQLite in tests/unit, PostgreSQL in tests/postgres. `open`
 * gives a store on an empty database and a way to be rid of it.
 */
export function describeSqlStoreContract(
  backend: string,
  open: () => Promise<{ store: SqlStore; remove: () => Promise<void> }>,
) {
  describe(`the SQL store on ${backend}`, () => {
    let store: SqlStore
    let remove: () => Promise<void>

    beforeAll(async () => {
      ;({ store, remove } = await open())
      await store.run(
        'create table contract_items (id bigint primary key, name text, payload bytea, tally integer)',
      )
    })

    afterAll(async () => {
      await store.close()
      await remove()
    })

    const tallyOf = async (id: number) =>
      (await store.get<{ tally: number }>('select tally from contract_items where id = ?', [id]))?.tally

    it('runs statements with ? placeholders, and gives back numbers, text, bytes and null as stored', async () => {
      const payload = Buffer.from([0, 1, 2, 254, 255])
      expect(
        await store.run('insert into contract_items (id, name, payload, tally) values (?, ?, ?, ?)', [
          1,
          'one',
          payload,
          7,
        ]),
      ).toEqual({ changes: 1 })
      await store.run('insert into contract_items (id, name, payload, tally) values (?, ?, ?, ?)', [
        2,
        null,
        null,
        0,
      ])
      expect(
        await store.get('select id, name, payload, tally from contract_items where id = ?', [1]),
      ).toEqual({
        id: 1,
        name: 'one',
        payload,
        tally: 7,
      })
      expect(await store.all('select id, name from contract_items order by id')).toEqual([
        { id: 1, name: 'one' },
        { id: 2, name: null },
      ])
      expect(await store.get('select id from contract_items where id = ?', [99])).toBeUndefined()
      // Counts and comparisons come back as SQLite's numbers, never as text or booleans.
      expect(
        await store.get(
          "select count(*) as n, sum(tally) as total, (1 = 1) as yes, '?' as mark from contract_items",
        ),
      ).toEqual({
        n: 2,
        total: 7,
        yes: 1,
        mark: '?',
      })
      expect(
        await store.run('update contract_items set tally = tally + 1 where id in (?, ?)', [1, 2]),
      ).toEqual({ changes: 2 })
    })

    it('gives rows as arrays of their columns in order, so columns of one name stay apart', async () => {
      await store.run('insert into contract_items (id, name, tally) values (?, ?, ?)', [3, 'three', 3])
      const sql =
        'select a.id, b.id, a.name from contract_items a join contract_items b on b.id = a.tally where a.id = ?'
      expect(await store.values(sql, [3])).toEqual([[3, 3, 'three']])
      expect(await store.values(sql, [99])).toEqual([])
      // The same statement read as objects afterwards is not left in array mode.
      expect(await store.get('select id, name from contract_items where id = ?', [3])).toEqual({
        id: 3,
        name: 'three',
      })
      expect(
        await store.transaction((tx) => tx.values('select name from contract_items where id = ?', [3])),
      ).toEqual([['three']])
      await store.run('delete from contract_items where id = ?', [3])
    })

    it('commits a transaction that resolves, and undoes one that throws', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [10, 0])
      expect(
        await store.transaction(async (tx) => {
          await tx.run('update contract_items set tally = ? where id = ?', [1, 10])
          return 'done'
        }),
      ).toBe('done')
      await expect(
        store.transaction(async (tx) => {
          await tx.run('update contract_items set tally = ? where id = ?', [2, 10])
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
      expect(await tallyOf(10)).toBe(1)
    })

    it('undoes only a nested transaction that throws', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [20, 0])
      await store.transaction(async (tx) => {
        await tx.run('update contract_items set tally = 1 where id = ?', [20])
        await expect(
          tx.transaction(async (nested) => {
            await nested.run('update contract_items set tally = 2 where id = ?', [20])
            throw new Error('inner only')
          }),
        ).rejects.toThrow('inner only')
        await tx.transaction((nested) =>
          nested.run('update contract_items set tally = tally + 10 where id = ?', [20]),
        )
      })
      expect(await tallyOf(20)).toBe(11)
    })

    it('undoes exactly what each of several nested levels did, however many statements ran between them', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [21, 0])
      const add = (tx: SqlRunner, amount: number) =>
        tx.run('update contract_items set tally = tally + ? where id = ?', [amount, 21])
      const undone = new Error('undone')
      await store.transaction(async (tx) => {
        // Two levels opened with no statement between them: undoing the inner keeps the outer's later work.
        await tx.transaction(async (outer) => {
          await expect(
            outer.transaction(async (inner) => {
              await add(inner, 1)
              throw undone
            }),
          ).rejects.toBe(undone)
          await add(outer, 10)
        })
        // The inner level kept, the outer one undone: both go.
        await expect(
          tx.transaction(async (outer) => {
            await outer.transaction((inner) => add(inner, 100))
            throw undone
          }),
        ).rejects.toBe(undone)
        // Levels in which no statement ran, kept or undone, change nothing.
        await tx.transaction(async (outer) => outer.transaction(async () => undefined))
        await expect(tx.transaction(async () => Promise.reject(undone))).rejects.toBe(undone)
        // A statement the database refuses inside a level leaves the transaction usable after it.
        await expect(
          tx.transaction(async (outer) => {
            await add(outer, 1000)
            await outer.transaction((inner) =>
              inner.run('insert into contract_items (id, tally) values (?, ?)', [21, 0]),
            )
          }),
        ).rejects.toThrow()
        for (let level = 0; level < 5; level++) await tx.transaction((nested) => add(nested, 10_000))
        await add(tx, 100_000)
      })
      expect(await tallyOf(21)).toBe(150_010)
    })

    it('writes what is sent without waiting, in order, before the statements that follow it', async () => {
      await store.send('insert into contract_items (id, tally) values (?, ?)', [22, 1])
      expect(await tallyOf(22)).toBe(1)
      const seen = await store.transaction(async (tx) => {
        for (let step = 0; step < 20; step++)
          await tx.send('update contract_items set tally = tally * 2 + ? where id = ?', [step % 2, 22])
        await tx.transaction((nested) =>
          nested.send('update contract_items set tally = tally + 1 where id = ?', [22]),
        )
        const undone = new Error('undone')
        await expect(
          tx.transaction(async (nested) => {
            await nested.send('update contract_items set tally = 0 where id = ?', [22])
            throw undone
          }),
        ).rejects.toBe(undone)
        return (await tx.get<{ tally: number }>('select tally from contract_items where id = ?', [22]))?.tally
      })
      // 1, then twenty doublings each adding its step's parity, then one more.
      let expected = 1
      for (let step = 0; step < 20; step++) expected = expected * 2 + (step % 2)
      expect(seen).toBe(expected + 1)
      expect(await tallyOf(22)).toBe(expected + 1)
    })

    it('fails a transaction at its next wait when a write sent without waiting fails, unless a savepoint undoes it', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [23, 0])
      const duplicate = 'insert into contract_items (id, tally) values (?, ?)'
      // Thrown by the next statement waited for: the refusal's own error, not one for following it.
      await expect(
        store.transaction(async (tx) => {
          await tx.run('update contract_items set tally = 1 where id = ?', [23])
          await tx.send(duplicate, [23, 0])
          await tx.get('select tally from contract_items where id = ?', [23])
        }),
      ).rejects.toThrow(/unique|duplicate/i)
      // Thrown by the commit when nothing is waited for after it, also from a savepoint kept.
      await expect(
        store.transaction(async (tx) => {
          await tx.run('update contract_items set tally = 2 where id = ?', [23])
          await tx.transaction((nested) => nested.send(duplicate, [23, 0]))
        }),
      ).rejects.toThrow(/unique|duplicate/i)
      expect(await tallyOf(23)).toBe(0)
      // A savepoint undone after it undoes the write and its failure with it: the rest commits.
      await store.transaction(async (tx) => {
        await tx.run('update contract_items set tally = 3 where id = ?', [23])
        await tx
          .transaction(async (nested) => {
            await nested.send(duplicate, [23, 0])
            await nested.send('update contract_items set tally = 100 where id = ?', [23])
            throw new Error('undone')
          })
          .catch(() => undefined)
        await tx.send('update contract_items set tally = tally + 1 where id = ?', [23])
      })
      expect(await tallyOf(23)).toBe(4)
    })

    it('refuses a statement on the store inside one of its transactions, and the transaction goes on', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [30, 0])
      await store.transaction(async (tx) => {
        await expect(store.get('select 1 as one')).rejects.toThrow(/inside one of its transactions/)
        await expect(store.transaction(async () => 1)).rejects.toThrow(/inside one of its transactions/)
        await tx.run('update contract_items set tally = 5 where id = ?', [30])
      })
      expect(await tallyOf(30)).toBe(5)
    })

    it('loses no update when many callers read and write the same row at once', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [40, 0])
      const callers = 20
      await Promise.all(
        Array.from({ length: callers }, () =>
          store.transaction(async (tx) => {
            const row = await tx.get<{ tally: number }>('select tally from contract_items where id = ?', [40])
            // Give every other caller its chance to run in between.
            await new Promise((resolve) => setImmediate(resolve))
            await tx.run('update contract_items set tally = ? where id = ?', [(row?.tally ?? 0) + 1, 40])
          }),
        ),
      )
      expect(await tallyOf(40)).toBe(callers)
    })

    it('never shows a statement outside a transaction what the transaction has not committed', async () => {
      await store.run('insert into contract_items (id, tally) values (?, ?)', [50, 0])
      // Set as the work ends, just before its commit: nothing outside may see the write before this.
      let ending = false
      let letCommit = () => {}
      const mayCommit = new Promise<void>((resolve) => {
        letCommit = resolve
      })
      let written = () => {}
      const hasWritten = new Promise<void>((resolve) => {
        written = resolve
      })
      const transaction = store.transaction(async (tx) => {
        await tx.run('update contract_items set tally = 1 where id = ?', [50])
        written()
        await mayCommit
        ending = true
      })
      await hasWritten
      const read = tallyOf(50).then((tally) => ({ tally, ending }))
      await new Promise((resolve) => setTimeout(resolve, 50))
      letCommit()
      await transaction
      const seen = await read
      // PostgreSQL answers at once with the last committed value; SQLite answers once the transaction is done.
      expect(seen.tally === 0 || (seen.tally === 1 && seen.ending)).toBe(true)
      expect(await tallyOf(50)).toBe(1)
    })
  })
}
