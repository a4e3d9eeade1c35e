import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '~db/client'
import { sqliteStore } from '~db/sqlite-store'
import { describeSqlStoreContract } from '../support/sql-store-contract'

function openScratchStore() {
  const directory = mkdtempSync(join(tmpdir(), 'sqlite-store-'))
  const db = openDatabase(join(directory, 'store.db'))
  return {
    db,
    store: sqliteStore(db),
    remove: async () => rmSync(directory, { recursive: true, force: true }),
  }
}

describeSqlStoreContract('SQLite', async () => openScratchStore())

describe('the SQL store on SQLite', () => {
  it('runs a statement the moment it is asked when no transaction is open or waiting', async () => {
    const { db, store, remove } = openScratchStore()
    try {
      await store.run('create table t (x integer)')
      const running = store.run('insert into t values (1)')
      // Not awaited yet: the row is already there, as better-sqlite3 would have written it.
      expect(db.$client.prepare('select count(*) from t').pluck().get()).toBe(1)
      await running
    } finally {
      await store.close()
      await remove()
    }
  })

  it('queues a statement behind an open transaction, and runs it once that commits', async () => {
    const { db, store, remove } = openScratchStore()
    try {
      await store.run('create table t (x integer)')
      const order: string[] = []
      let letCommit = () => {}
      const transaction = store.transaction(async (tx) => {
        await tx.run('insert into t values (1)')
        await new Promise<void>((resolve) => {
          letCommit = resolve
        })
        order.push('commit')
      })
      const outside = store.run('insert into t values (2)').then(() => order.push('outside'))
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(order).toEqual([])
      expect(db.$client.inTransaction).toBe(true)
      letCommit()
      await Promise.all([transaction, outside])
      expect(order).toEqual(['commit', 'outside'])
      expect(db.$client.prepare('select x from t order by rowid').pluck().all()).toEqual([1, 2])
    } finally {
      await store.close()
      await remove()
    }
  })
})
