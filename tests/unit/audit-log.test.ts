import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auditSigningKey } from '~/audit/audit-signing-key.server'
import { startAuditCheckpoints } from '~/audit/checkpoint-schedule.server'
import { parseConfig } from '~/config.server'
import { type AuditEntryInput, auditEntryHash, GENESIS_HASH } from '~db/audit-entry'
import {
  AuditEntryRefused,
  appendAuditEntry,
  listAuditEntries,
  readAuditChain,
  readAuditChainHead,
} from '~db/audit-log'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { type PortalDatabase, prepared, withTransaction } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { collect } from '../support/collect'
import { testSecrets } from '../support/secrets'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'audit-log-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

/** Staff member n's ID: S0000000001 for 1. */
const staff = (n: number) => `S${String(n).padStart(10, '0')}`

const signIn = (staffId: number, outcome: 'success' | 'failure' = 'success'): AuditEntryInput => ({
  actor: { kind: 'staff', id: staff(staffId) },
  action: 'staff.sign_in',
  target: { kind: 'staff', id: staff(staffId) },
  outcome,
  clientIpIndex: Buffer.alloc(16, staffId),
  detail: { factor: 'password' },
})

const entryCount = () => sqlite.$client.prepare('select count(*) from audit_log').pluck().get()

describe('appendAuditEntry', () => {
  it('numbers entries 1, 2, 3 and chains each to the one before, moving the head with them', async () => {
    const first = await appendAuditEntry(db, signIn(1), { now: 1000 })
    const second = await appendAuditEntry(db, signIn(2, 'failure'), { now: 2000 })
    expect(first.sequence).toBe(1)
    expect(first.previousHash).toEqual(GENESIS_HASH)
    expect(first.hash).toEqual(auditEntryHash(GENESIS_HASH, first))
    expect(second.sequence).toBe(2)
    expect(second.previousHash).toEqual(first.hash)
    expect(await readAuditChainHead(db)).toEqual({ lastSequence: 2, lastHash: second.hash })
    expect(await collect(readAuditChain(db))).toEqual([first, second])
  })

  it('commits with the action it records, and leaves nothing when that action rolls back', async () => {
    sqlite.$client.exec('create table audited_action (id integer primary key)')
    const act = (fail: boolean) =>
      withTransaction(db, async (tx) => {
        await prepared(tx, 'insert into audited_action default values').run()
        await appendAuditEntry(tx, signIn(1))
        if (fail) throw new Error('the action failed after its entry was written')
      })
    await expect(act(true)).rejects.toThrow('the action failed')
    expect(entryCount()).toBe(0)
    expect(await readAuditChainHead(db)).toEqual({ lastSequence: 0, lastHash: GENESIS_HASH })
    await act(false)
    expect(entryCount()).toBe(1)
    expect(sqlite.$client.prepare('select count(*) from audited_action').pluck().get()).toBe(1)
    expect((await readAuditChainHead(db)).lastSequence).toBe(1)
  })

  it('refuses a personal value, naming the field and never quoting it, and writes nothing', async () => {
    const personal = { ...signIn(1), detail: { searched: 'hanako.mihon@example.jp' } }
    await expect(appendAuditEntry(db, personal)).rejects.toThrow(AuditEntryRefused)
    await expect(appendAuditEntry(db, personal)).rejects.toThrow(
      /^audit entry refused: detail is not allowed$/,
    )
    expect(entryCount()).toBe(0)
  })

  it('lets no one update or delete an entry through SQL without first dropping the guards', async () => {
    await appendAuditEntry(db, signIn(1))
    expect(() => sqlite.$client.prepare("update audit_log set outcome = 'failure'").run()).toThrow(
      /append-only/,
    )
    expect(() => sqlite.$client.prepare('delete from audit_log').run()).toThrow(/append-only/)
    expect(entryCount()).toBe(1)
  })
})

describe('listAuditEntries', () => {
  beforeEach(async () => {
    // Staff 1 and 2 sign in alternately, an hour apart; staff 1 opens case 9 at the end.
    for (let i = 0; i < 10; i++) await appendAuditEntry(db, signIn((i % 2) + 1), { now: i * 3_600_000 })
    await appendAuditEntry(
      db,
      {
        actor: { kind: 'staff', id: staff(1) },
        action: 'case.opened',
        target: { kind: 'case', id: 9 },
        outcome: 'success',
      },
      { now: 10 * 3_600_000 },
    )
  })

  const sequences = (page: { entries: { sequence: number }[] }) => page.entries.map((entry) => entry.sequence)

  it('filters by actor, action, target and time, newest first', async () => {
    expect(
      sequences(await listAuditEntries(db, { filter: { actor: { kind: 'staff', id: staff(2) } } })),
    ).toEqual([10, 8, 6, 4, 2])
    expect(sequences(await listAuditEntries(db, { filter: { action: 'case.opened' } }))).toEqual([11])
    expect(sequences(await listAuditEntries(db, { filter: { target: { kind: 'case', id: 9 } } }))).toEqual([
      11,
    ])
    expect(
      sequences(await listAuditEntries(db, { filter: { target: { kind: 'staff', id: staff(9) } } })),
    ).toEqual([])
    expect(
      sequences(await listAuditEntries(db, { filter: { from: 3 * 3_600_000, until: 6 * 3_600_000 } })),
    ).toEqual([6, 5, 4])
    expect(
      sequences(
        await listAuditEntries(db, {
          filter: { actor: { kind: 'staff', id: staff(1) }, action: 'staff.sign_in', from: 4 * 3_600_000 },
        }),
      ),
    ).toEqual([9, 7, 5])
  })

  it('pages by sequence number until the last page', async () => {
    const first = await listAuditEntries(db, { limit: 4 })
    expect(sequences(first)).toEqual([11, 10, 9, 8])
    const second = await listAuditEntries(db, { limit: 4, before: first.nextBefore ?? 0 })
    expect(sequences(second)).toEqual([7, 6, 5, 4])
    const last = await listAuditEntries(db, { limit: 4, before: second.nextBefore ?? 0 })
    expect(sequences(last)).toEqual([3, 2, 1])
    expect(last.nextBefore).toBeNull()
  })

  it('gives entries as they were appended', async () => {
    const [entry] = (await listAuditEntries(db, { filter: { action: 'case.opened' } })).entries
    expect(entry).toEqual((await collect(readAuditChain(db))).at(-1))
    expect(entry).toMatchObject({
      actor: { kind: 'staff', id: staff(1) },
      target: { kind: 'case', id: 9 },
      detail: {},
    })
  })

  it('gives a return request back as its reference, and the chain still verifies', async () => {
    await appendAuditEntry(db, {
      actor: { kind: 'staff', id: staff(2) },
      action: 'return.photo_viewed',
      target: { kind: 'return', id: 'RT-7Q4D9-M2X4H' },
      outcome: 'success',
      detail: { photo: `P${'ab'.repeat(16)}` },
    })
    const [entry] = (
      await listAuditEntries(db, {
        filter: { target: { kind: 'return', id: 'RT-7Q4D9-M2X4H' } },
      })
    ).entries
    expect(entry).toMatchObject({ target: { kind: 'return', id: 'RT-7Q4D9-M2X4H' } })
    const chain = await collect(readAuditChain(db))
    let previous: Buffer = GENESIS_HASH
    for (const stored of chain) {
      const { previousHash, hash, ...content } = stored
      expect(auditEntryHash(previous, content)).toEqual(hash)
      previous = hash
    }
  })
})

describe('the running portal’s checkpoints', () => {
  it('signs one into a private file beside the database as soon as it starts', async () => {
    await appendAuditEntry(db, signIn(1))
    const secrets = testSecrets()
    const config = parseConfig({ ...secrets, DATABASE_URL: join(directory, 'portal.db') })
    expect(config.AUDIT_CHECKPOINT_FILE).toBe(join(directory, 'portal.db.audit-checkpoints.jsonl'))
    await startAuditCheckpoints(config).stop()
    expect(statSync(config.AUDIT_CHECKPOINT_FILE).mode & 0o777).toBe(0o600)
    const lines = readFileSync(config.AUDIT_CHECKPOINT_FILE, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      v: 1,
      count: 1,
      lastHash: (await readAuditChainHead(db)).lastHash.toString('hex'),
      keyId: auditSigningKey(secrets.AUDIT_SIGNING_KEY).verifier.keyId,
    })
  })
})
