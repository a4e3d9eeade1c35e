import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  closeDatabase,
  openDatabase,
  type SqliteDatabase,
  sqliteStatement,
  withSqliteTransaction,
} from '~db/client'

let directory: string
let db: SqliteDatabase

const insert = (on: SqliteDatabase, value: string) =>
  sqliteStatement(on, 'insert into t (value) values (?)').run(value)
const values = (on: SqliteDatabase = db) =>
  sqliteStatement<{ value: string }>(on, 'select value from t order by id')
    .all()
    .map((row) => row.value)

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'transaction-'))
  db = openDatabase(join(directory, 'portal.db'))
  sqliteStatement(db, 'create table t (id integer primary key, value text not null)').run()
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

describe('withSqliteTransaction', () => {
  it('commits what the work wrote and returns what it returned', () => {
    const result = withSqliteTransaction(db, (tx) => {
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
      withSqliteTransaction(db, (tx) => {
        insert(tx, 'a')
        throw failure
      }),
    ).toThrow(failure)
    expect(values()).toEqual(['before'])
  })

  it('runs nested work in a savepoint: a caught throw undoes only the inner work', () => {
    withSqliteTransaction(db, (tx) => {
      insert(tx, 'outer')
      expect(() =>
        withSqliteTransaction(tx, (inner) => {
          insert(inner, 'inner')
          throw new Error('inner fails')
        }),
      ).toThrow('inner fails')
      withSqliteTransaction(tx, (inner) => insert(inner, 'inner kept'))
    })
    expect(values()).toEqual(['outer', 'inner kept'])
  })

  it('undoes committed nested work when the outer transaction throws', () => {
    expect(() =>
      withSqliteTransaction(db, (tx) => {
        withSqliteTransaction(tx, (inner) => insert(inner, 'inner'))
        throw new Error('outer fails')
      }),
    ).toThrow('outer fails')
    expect(values()).toEqual([])
  })

  it('refuses work that returns a promise, and keeps none of it', () => {
    expect(() =>
      withSqliteTransaction(db, (tx) => {
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
      withSqliteTransaction(db, () => {
        expect(() => insert(other, 'other')).toThrow(/locked|busy/i)
      })
      withSqliteTransaction(
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
