import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  closeDatabase,
  openDatabase,
  type PortalDatabase,
  prepared,
  tentatively,
  withTransaction,
} from '~db/client'

let directory: string
let db: PortalDatabase

const insert = (on: PortalDatabase, value: string) =>
  prepared(on, 'insert into t (value) values (?)').run(value)
const values = (on: PortalDatabase = db) =>
  prepared<{ value: string }>(on, 'select value from t order by id')
    .all()
    .map((row) => row.value)

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'transaction-'))
  db = openDatabase(join(directory, 'portal.db'))
  prepared(db, 'create table t (id integer primary key, value text not null)').run()
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

describe('withTransaction', () => {
  it('commits what the work wrote and returns what it returned', () => {
    const result = withTransaction(db, (tx) => {
      insert(tx, 'a')
      insert(tx, 'b')
      return 42
    })
    expect(result).toBe(42)
    expect(values()).toEqual(['a', 'b'])
  })

  it('rolls everything back when the work throws, and passes the error on', () => {
    insert(db, 'before')
    const failure = new Error('half-way')
    expect(() =>
      withTransaction(db, (tx) => {
        insert(tx, 'a')
        throw failure
      }),
    ).toThrow(failure)
    expect(values()).toEqual(['before'])
  })

  it('runs nested work in a savepoint: a caught throw undoes only the inner work', () => {
    withTransaction(db, (tx) => {
      insert(tx, 'outer')
      expect(() =>
        withTransaction(tx, (inner) => {
          insert(inner, 'inner')
          throw new Error('inner fails')
        }),
      ).toThrow('inner fails')
      withTransaction(tx, (inner) => insert(inner, 'inner kept'))
    })
    expect(values()).toEqual(['outer', 'inner kept'])
  })

  it('undoes committed nested work when the outer transaction throws', () => {
    expect(() =>
      withTransaction(db, (tx) => {
        withTransaction(tx, (inner) => insert(inner, 'inner'))
        throw new Error('outer fails')
      }),
    ).toThrow('outer fails')
    expect(values()).toEqual([])
  })

  it('refuses work that returns a promise, and keeps none of it', () => {
    expect(() =>
      withTransaction(db, (tx) => {
        insert(tx, 'a')
        return Promise.resolve()
      }),
    ).toThrow(/promise/)
    expect(values()).toEqual([])
  })

  it('takes the write lock at the start when immediate (the default), not when deferred', () => {
    const other = openDatabase(join(directory, 'portal.db'))
    try {
      other.$client.pragma('busy_timeout = 0')
      withTransaction(db, () => {
        expect(() => insert(other, 'other')).toThrow(/locked|busy/i)
      })
      withTransaction(
        db,
        () => {
          insert(other, 'other')
        },
        { mode: 'deferred' },
      )
      expect(values()).toEqual(['other'])
    } finally {
      closeDatabase(other)
    }
  })
})

describe('tentatively', () => {
  it('keeps the work when told to, and undoes it (its transaction going on) when not', () => {
    withTransaction(db, (tx) => {
      tentatively(tx, { keep: true }, () => insert(tx, 'kept'))
      tentatively(tx, { keep: false }, () => insert(tx, 'undone'))
      insert(tx, 'after')
    })
    expect(values()).toEqual(['kept', 'after'])
  })

  it('undoes the work when it throws, and passes the error on', () => {
    withTransaction(db, (tx) => {
      expect(() =>
        tentatively(tx, { keep: true }, () => {
          insert(tx, 'a')
          throw new Error('fails')
        }),
      ).toThrow('fails')
    })
    expect(values()).toEqual([])
  })

  it('refuses to run outside a transaction, where there is nothing to undo it in', () => {
    expect(() => tentatively(db, { keep: false }, () => insert(db, 'a'))).toThrow(/transaction/)
    expect(values()).toEqual([])
  })
})
