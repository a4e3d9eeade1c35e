import { describe, expect, it } from 'vitest'
import { openPostgres } from '~db/postgres/client'
import { postgresStore } from '~db/postgres/postgres-store'
import { BUSY_ERROR_CODE } from '~db/sql-store'
import { scratchPostgresDatabase } from '../support/postgres-database'
import { describeSqlStoreContract } from '../support/sql-store-contract'

/** A promise and the function that settles it: one side waits until the other says so. */
function signal() {
  let fire = () => {}
  const fired = new Promise<void>((resolve) => {
    fire = resolve
  })
  return { fire, fired }
}

describeSqlStoreContract('PostgreSQL', async () => {
  const database = await scratchPostgresDatabase('sql_store')
  return { store: postgresStore(openPostgres(database.url).$client), remove: database.drop }
})

describe('the SQL store on PostgreSQL, from two nodes', () => {
  it("makes the two nodes' writers take turns, so neither loses the other's update", async () => {
    const database = await scratchPostgresDatabase('two_nodes')
    const nodes = [1, 2].map(() => postgresStore(openPostgres(database.url).$client))
    try {
      const [first, second] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
      await first.run('create table counters (id bigint primary key, tally integer not null)')
      await first.run('insert into counters values (1, 0)')
      const increments = 12
      await Promise.all(
        nodes.flatMap((node) =>
          Array.from({ length: increments }, () =>
            node.transaction(async (tx) => {
              const row = await tx.get<{ tally: number }>('select tally from counters where id = 1')
              await new Promise((resolve) => setTimeout(resolve, 1))
              await tx.run('update counters set tally = ? where id = 1', [(row?.tally ?? 0) + 1])
            }),
          ),
        ),
      )
      expect(await second.get('select tally from counters where id = 1')).toEqual({ tally: 2 * increments })
    } finally {
      await Promise.all(nodes.map((node) => node.close()))
      await database.drop()
    }
  })
})

describe("the SQL store on PostgreSQL, a turn among one key's writers", () => {
  it("makes writers of one key take turns, and lets writers of another key or of the database's turn go by", async () => {
    const database = await scratchPostgresDatabase('keyed_turns')
    const nodes = [1, 2].map(() => postgresStore(openPostgres(database.url).$client))
    const [first, second] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    const key = (byte: number) => Buffer.alloc(32, byte)
    const { fire: release, fired: held } = signal()
    const { fire: taken, fired: turnTaken } = signal()
    try {
      await first.run('create table counters (id bigint primary key, tally integer not null)')
      await first.run('insert into counters values (1, 0), (2, 0)')
      // One node holds the turn of keys A and B.
      const holding = first.transaction(
        async (tx) => {
          await tx.run('update counters set tally = tally + 1 where id = 1')
          taken()
          await held
        },
        { turnOf: [key(0xaa), key(0xbb)] },
      )
      await turnTaken
      // The other node's writers of key C, and of the database's turn, are not held up by it...
      await second.transaction((tx) => tx.run('update counters set tally = tally + 10 where id = 2'), {
        turnOf: [key(0xcc)],
      })
      await second.transaction((tx) => tx.run('update counters set tally = tally + 10 where id = 2'))
      // ...but one of key B (with C) waits until the holder ends, and then sees what it wrote.
      let waited = false
      const waiting = second
        .transaction((tx) => tx.get<{ tally: number }>('select tally from counters where id = 1'), {
          turnOf: [key(0xcc), key(0xbb)],
        })
        .then((row) => {
          waited = true
          return row
        })
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(waited).toBe(false)
      release()
      await holding
      await expect(waiting).resolves.toEqual({ tally: 1 })
      // Many writers of one key on two nodes read and write one row: none loses another's update.
      await Promise.all(
        nodes.flatMap((node) =>
          Array.from({ length: 10 }, () =>
            node.transaction(
              async (tx) => {
                const row = await tx.get<{ tally: number }>('select tally from counters where id = 2')
                await new Promise((resolve) => setTimeout(resolve, 1))
                await tx.run('update counters set tally = ? where id = 2', [(row?.tally ?? 0) + 1])
              },
              { turnOf: [key(0xdd)] },
            ),
          ),
        ),
      )
      expect(await second.get('select tally from counters where id = 2')).toEqual({ tally: 40 })
    } finally {
      release()
      await Promise.all(nodes.map((node) => node.close()))
      await database.drop()
    }
  })
})

describe('the SQL store on PostgreSQL, when the database has no time', () => {
  it("says busy, as SQLite does, when another node holds the writers' turn past the busy timeout", async () => {
    const database = await scratchPostgresDatabase('busy_turn')
    const holder = postgresStore(openPostgres(database.url).$client)
    const waiter = postgresStore(openPostgres(database.url, { busyTimeoutMs: 200 }).$client)
    const { fire: release, fired: held } = signal()
    const { fire: taken, fired: turnTaken } = signal()
    try {
      const holding = holder.transaction(async (tx) => {
        await tx.run('select 1')
        taken()
        await held
      })
      await turnTaken
      const waiting = waiter.transaction(async (tx) => tx.run('select 1'))
      await expect(waiting).rejects.toMatchObject({ code: BUSY_ERROR_CODE })
      release()
      await holding
      // Once the turn is free, the same work goes through: nothing was left held or broken.
      await expect(waiter.transaction(async (tx) => tx.get('select 1 as one'))).resolves.toEqual({ one: 1 })
    } finally {
      release()
      await Promise.all([holder.close(), waiter.close()])
      await database.drop()
    }
  })

  it('says busy when no connection of the pool comes free within the busy timeout', async () => {
    const database = await scratchPostgresDatabase('busy_pool')
    const store = postgresStore(openPostgres(database.url, { connections: 1, busyTimeoutMs: 200 }).$client)
    const { fire: release, fired: held } = signal()
    const { fire: taken, fired: connectionTaken } = signal()
    try {
      const holding = store.transaction(
        async () => {
          taken()
          await held
        },
        { mode: 'deferred' },
      )
      await connectionTaken
      await expect(store.get('select 1 as one')).rejects.toMatchObject({ code: BUSY_ERROR_CODE })
      release()
      await holding
      await expect(store.get('select 1 as one')).resolves.toEqual({ one: 1 })
    } finally {
      release()
      await store.close()
      await database.drop()
    }
  })
})
