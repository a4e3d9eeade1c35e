import { describe, expect, it } from 'vitest'
import { openPostgres } from '~db/postgres/client'
import { postgresStore } from '~db/postgres/postgres-store'
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
