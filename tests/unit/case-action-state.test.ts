import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { notifyEveryone } from '~/notify/notify.server'
import { endCustomerSessions, readCaseActionState, unlockLetterCodeOfHuman } from '~db/case-action-state'
import type { SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { addIdentityConfirmation } from '~db/identity-confirmations'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

let temp: TempDatabase
let db: SqliteDatabase
let portal: PortalDatabase
let humanId: number
const now = new Date('2026-07-01T00:00:00Z')

beforeEach(async () => {
  temp = await importedDatabase('case-action-state-', {
    'members.csv': [
      MEMBER_COLUMNS,
      member({ member_id: 'M1', email: 'hanako@example.jp', birth_date: '1985-04-01' }),
    ],
  })
  db = temp.db
  portal = sqlitePortalDatabase(db)
  await notifyEveryone({
    db: portal,
    crypto: temp.crypto,
    portalAddress: 'portal.example.jp',
    outputDirectory: temp.directory,
    handoutsPath: join(temp.directory, 'handouts.csv'),
  })
  humanId = db.$client.prepare('select human_id from notifications').pluck().get() as number
})

afterEach(() => temp.remove())

const addSession = (id: number, kind: 'customer' | 'staff', expiresAt: number) =>
  db.$client
    .prepare('insert into sessions (id_hash, kind, human_id, expires_at) values (?, ?, ?, ?)')
    .run(Buffer.alloc(32, id), kind, kind === 'customer' ? humanId : null, expiresAt)

describe('case action state', () => {
  it('says the notice channel, no lock, no sessions, no confirmation for a freshly notified member', async () => {
    expect(await readCaseActionState(portal, { humanId, now })).toEqual({
      noticeChannel: 'email',
      letterCodeLocked: false,
      openCustomerSessions: 0,
      identityConfirmationActive: false,
    })
    expect((await readCaseActionState(portal, { humanId: humanId + 1000, now })).noticeChannel).toBeNull()
  })

  it('unlocks only a locked letter code, clearing its failures', async () => {
    expect(await unlockLetterCodeOfHuman(portal, humanId)).toBe(false)
    db.$client
      .prepare(
        'update notifications set letter_code_failures = 5, letter_code_locked_at = 1 where human_id = ?',
      )
      .run(humanId)
    expect((await readCaseActionState(portal, { humanId, now })).letterCodeLocked).toBe(true)
    expect(await unlockLetterCodeOfHuman(portal, humanId)).toBe(true)
    expect(
      db.$client.prepare('select letter_code_failures, letter_code_locked_at from notifications').get(),
    ).toEqual({
      letter_code_failures: 0,
      letter_code_locked_at: null,
    })
  })

  it("ends the human's customer sessions and no one else's, counting the open ones", async () => {
    addSession(1, 'customer', now.getTime() + 60_000)
    addSession(2, 'customer', now.getTime() + 60_000)
    addSession(3, 'customer', now.getTime() - 1)
    addSession(4, 'staff', now.getTime() + 60_000)
    expect((await readCaseActionState(portal, { humanId, now })).openCustomerSessions).toBe(2)
    expect(await endCustomerSessions(portal, { humanId, now })).toBe(2)
    expect(db.$client.prepare('select kind from sessions').pluck().all()).toEqual(['staff'])
  })

  it('tells a waiting call-back confirmation', async () => {
    await addIdentityConfirmation(portal, temp.crypto.keyring, {
      humanId,
      staffId: 'S0000000001',
      reason: 'other',
      now,
    })
    expect((await readCaseActionState(portal, { humanId, now })).identityConfirmationActive).toBe(true)
  })
})
