import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeCheckpoint } from '~/audit/audit-checkpoints.server'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { auditSigningKey } from '~/audit/audit-signing-key.server'
import { verifyAuditLog } from '~/audit/audit-verification.server'
import { auditEntryHash } from '~db/audit-entry'
import { appendAuditEntry, readAuditChainHead } from '~db/audit-log'
import { createBlindIndexer } from '~db/blind-index'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase
let checkpointFile: string
const key = auditSigningKey(randomBytes(32).toString('base64'))

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'audit-verification-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
  checkpointFile = join(directory, 'checkpoints.jsonl')
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

const verify = () => verifyAuditLog({ db, key: key.verifier, checkpointFile })
const opened = (id: number) =>
  appendAuditEntry(db, {
    actor: { kind: 'staff', id: `S${String(id).padStart(10, '0')}` },
    action: 'case.opened',
    outcome: 'success',
  })

describe('verifyAuditLog', () => {
  it('names an entry written after the chain head by someone other than the portal', async () => {
    await opened(1)
    const last = await opened(2)
    const content = { ...last, sequence: 3, at: last.at + 1 }
    // Chained correctly, but the head row was not moved: only the portal's appends move it.
    sqlite.$client
      .prepare(
        `insert into audit_log (sequence, at, actor_kind, actor_id, action, outcome, detail, previous_hash, hash)
        values (3, ?, 'staff', 'S0000000002', 'case.opened', 'success', '{}', ?, ?)`,
      )
      .run(content.at, last.hash, auditEntryHash(last.hash, content))
    expect((await readAuditChainHead(db)).lastSequence).toBe(2)
    expect(await verify()).toMatchObject({
      ok: false,
      problems: [{ kind: 'head-mismatch', entry: 3 }],
      message: 'Entry 3 is not the one the chain head names: the log was changed outside the portal.',
    })
  })

  it('finds every checkpoint of an honest log in agreement and gives the latest', async () => {
    await opened(1)
    await writeCheckpoint({ db, key, file: checkpointFile })
    await opened(2)
    await opened(3)
    await writeCheckpoint({ db, key, file: checkpointFile })
    expect(await verify()).toMatchObject({ ok: true, entries: 3, checkpoints: 2 })
    expect((await verify()).latestCheckpoint).toMatchObject({ count: 3 })
  })
})

describe('the client IP an entry records', () => {
  it('is a keyed hash of its own kind, the same for an IPv4 address however it connected', () => {
    const index = createBlindIndexer(randomBytes(32).toString('base64'))
    const plain = auditClientIpIndex({ clientIp: '192.0.2.1' }, index)
    expect(auditClientIpIndex({ clientIp: '::ffff:192.0.2.1' }, index)).toEqual(plain)
    expect(plain).toHaveLength(16)
    expect(plain.toString('latin1')).not.toContain('192.0.2.1')
    expect(index('email', '192.0.2.1')).not.toEqual(plain)
  })
})
