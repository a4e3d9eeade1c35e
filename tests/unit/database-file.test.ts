import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '~db/client'

const mode = (path: string) => statSync(path).mode & 0o777

describe('the database file', () => {
  const folders: string[] = []
  let previousUmask: number | undefined

  afterEach(() => {
    if (previousUmask !== undefined) process.umask(previousUmask)
    previousUmask = undefined
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
  })

  it('is created for the portal user alone, in a folder only it can enter, whatever the umask', () => {
    const parent = mkdtempSync(join(tmpdir(), 'db-mode-'))
    folders.push(parent)
    previousUmask = process.umask(0)
    const path = join(parent, 'data', 'portal.db')
    const db = openDatabase(path)
    db.$client.exec('create table t (x); insert into t values (1)')
    expect(mode(join(parent, 'data'))).toBe(0o700)
    expect(mode(path)).toBe(0o600)
    expect(mode(`${path}-wal`)).toBe(0o600)
    db.$client.close()
  })

  it('narrows an existing file that others could read, and keeps its data', () => {
    const parent = mkdtempSync(join(tmpdir(), 'db-mode-'))
    folders.push(parent)
    const path = join(parent, 'portal.db')
    const first = openDatabase(path)
    first.$client.exec('create table t (x); insert into t values (42)')
    first.$client.close()
    chmodSync(path, 0o644)
    const again = openDatabase(path)
    expect(mode(path)).toBe(0o600)
    expect(again.$client.prepare('select x from t').get()).toEqual({ x: 42 })
    again.$client.close()
  })

  it('leaves an existing folder as it is', () => {
    const parent = mkdtempSync(join(tmpdir(), 'db-mode-'))
    folders.push(parent)
    chmodSync(parent, 0o755)
    writeFileSync(join(parent, 'other.txt'), 'kept')
    openDatabase(join(parent, 'portal.db')).$client.close()
    expect(mode(parent)).toBe(0o755)
  })
})
