import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addCaseNote, listCaseNotes } from '~db/case-notes'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { createKeyring, UnsealError } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { testSecrets } from '../support/secrets'

let directory: string
let db: SqliteDatabase
const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'case-notes-'))
  db = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(db)
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

const note = (humanId: number, text: string, at: number, staffId = 'S0000000001') =>
  addCaseNote(sqlitePortalDatabase(db), keyring, { humanId, staffId, text, now: new Date(at) })

describe('case notes', () => {
  it("lists one case's notes newest first, opened, with who wrote them and when", async () => {
    const first = await note(7, '折り返し電話済み', 1000)
    const second = await note(7, 'Letter lost in the post', 2000, 'S0000000002')
    await note(8, 'another case', 3000)
    expect(await listCaseNotes(sqlitePortalDatabase(db), keyring, 7)).toEqual([
      { id: second, staffId: 'S0000000002', at: 2000, text: 'Letter lost in the post' },
      { id: first, staffId: 'S0000000001', at: 1000, text: '折り返し電話済み' },
    ])
    expect(await listCaseNotes(sqlitePortalDatabase(db), keyring, 9)).toEqual([])
  })

  it('keeps the text sealed at rest: the database file does not hold it', async () => {
    await note(7, 'caller-said-unique-phrase-4711', 1000)
    db.$client.pragma('wal_checkpoint(TRUNCATE)')
    expect(readFileSync(join(directory, 'portal.db')).includes('caller-said-unique-phrase-4711')).toBe(false)
  })

  it("binds a note's ciphertext to its row: copied into another note it does not open", async () => {
    const a = await note(7, 'first', 1000)
    const b = await note(7, 'second', 2000)
    db.$client
      .prepare(
        'update case_notes set note_sealed = (select note_sealed from case_notes where id = ?) where id = ?',
      )
      .run(a, b)
    await expect(listCaseNotes(sqlitePortalDatabase(db), keyring, 7)).rejects.toThrow(UnsealError)
  })
})
