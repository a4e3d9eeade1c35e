import { describe, expect, it } from 'vitest'
import { openPostgres } from '~db/postgres/client'
import { postgresStore } from '~db/postgres/postgres-store'
import { BUSY_ERROR_CODE } from '~db/sql-store'
import { scratchPostgresDatabase } from '../support/postgres-database'
import { describeSqlStoreContract } from '../support/sql-store-contract'

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

describe('the SQL store on PostgreSQL, when the database has no time', () => {
  it("says busy, as SQLite does, when another node holds the writers' turn past the busy timeout", async () => {
    const database = await scratchPostgresDatabase('busy_turn')
    const holder = postgresStore(openPostgres(database.url).$client)
    const waiter = postgresStore(openPostgres(database.url, { busyTimeoutMs: 200 }).$client)
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let taken = () => {}
    const turnTaken = new Promise<void>((resolve) => {
      taken = resolve
    })
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
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let taken = () => {}
    const connectionTaken = new Promise<void>((resolve) => {
      taken = resolve
    })
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
