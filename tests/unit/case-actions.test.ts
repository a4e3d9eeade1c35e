import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  addCaseNoteAudited,
  confirmIdentityByCallBack,
  endCaseSessions,
  unlockCaseLetterCode,
} from '~/staff/case-actions.server'
import { listCaseNotes } from '~db/case-notes'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { createKeyring } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { testSecrets } from '../support/secrets'

let directory: string
let db: SqliteDatabase
const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
const humanId = 42

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'case-actions-'))
  db = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(db)
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

const context = (role: 'agent' | 'supervisor') => ({
  db: sqlitePortalDatabase(db),
  session: { staffId: 'S0000000001', role },
  humanId,
  clientIpIndex: Buffer.alloc(16, 1),
  now: new Date(1_800_000_000_000),
})

const entries = () =>
  db.$client
    .prepare('select action, target_kind, target_id, outcome, detail from audit_log order by sequence')
    .all() as { action: string; target_kind: string; target_id: string; outcome: string; detail: string }[]

describe('case actions', () => {
  it('each writes exactly one audit entry targeted at the case', async () => {
    expect(await unlockCaseLetterCode(context('agent'))).toBe(false)
    expect(await endCaseSessions(context('agent'))).toBe(0)
    await addCaseNoteAudited({ ...context('agent'), keyring, text: 'secret-note-words' })
    expect(
      entries().map(({ action, target_kind, target_id, outcome }) => [
        action,
        target_kind,
        target_id,
        outcome,
      ]),
    ).toEqual([
      ['case.letter_code_unlocked', 'case', '42', 'failure'],
      ['case.sessions_ended', 'case', '42', 'success'],
      ['case.note_added', 'case', '42', 'success'],
    ])
    expect(JSON.stringify(entries())).not.toContain('secret-note-words')
    expect(
      (await listCaseNotes(sqlitePortalDatabase(db), keyring, humanId)).map((note) => note.text),
    ).toEqual(['secret-note-words'])
  })

  it("refuses an agent's call-back confirmation and records it as denied; a supervisor's keeps only the reason token", async () => {
    expect(await confirmIdentityByCallBack({ ...context('agent'), keyring, reason: 'letter-lost' })).toBe(
      false,
    )
    expect(db.$client.prepare('select count(*) from identity_confirmations').pluck().get()).toBe(0)
    expect(
      await confirmIdentityByCallBack({
        ...context('supervisor'),
        keyring,
        reason: 'other',
        reasonText: 'caller-words-9',
      }),
    ).toBe(true)
    expect(entries().map(({ outcome, detail }) => [outcome, JSON.parse(detail)])).toEqual([
      ['denied', { reason: 'not_supervisor' }],
      ['success', { reason: 'other' }],
    ])
    expect(JSON.stringify(entries())).not.toContain('caller-words-9')
  })
})
