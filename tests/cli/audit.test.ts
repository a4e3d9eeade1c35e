import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { writeCheckpoint } from '~/audit/audit-checkpoints.server'
import { auditSigningKey } from '~/audit/audit-signing-key.server'
import { auditEntryHash, canonicalDetail, GENESIS_HASH } from '~db/audit-entry'
import { appendAuditEntry, readAuditChain } from '~db/audit-log'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { collect } from '../support/collect'
import { runPortalCommand, startPortalCommand } from '../support/notified-population'
import { testSecrets } from '../support/secrets'

/**
 * `npm run audit:checkpoint` and `npm run audit:verify` as real processes over
 * a real SQLite file and checkpoint file, against the tampering an attacker
 * with write access to the database could try.
 */

const secrets = testSecrets()
const key = auditSigningKey(secrets.AUDIT_SIGNING_KEY)

let directory: string
let databasePath: string
let checkpointFile: string
let env: Record<string, string>
let sqlite: SqliteDatabase
let db: PortalDatabase

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'audit-cli-'))
  databasePath = join(directory, 'portal.db')
  checkpointFile = `${databasePath}.audit-checkpoints.jsonl`
  env = {
    PATH: process.env.PATH ?? '',
    HOME: directory,
    NODE_ENV: 'test',
    PORTAL_DEMO_DATA: 'off',
    DATABASE_URL: databasePath,
    ...secrets,
  }
  sqlite = openDatabase(databasePath)
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

/** Staff sign-ins and case opens, as the portal would write them. */
async function append(count: number) {
  for (let i = 0; i < count; i++) {
    await appendAuditEntry(db, {
      actor: { kind: 'staff', id: `S${String((i % 3) + 1).padStart(10, '0')}` },
      action: i % 2 ? 'case.opened' : 'staff.sign_in',
      target: i % 2 ? { kind: 'case', id: 100 + i } : undefined,
      outcome: 'success',
      detail: { factor: 'totp' },
    })
  }
}

const checkpoint = () => writeCheckpoint({ db, key, file: checkpointFile })
const audit = (...args: string[]) => runPortalCommand('app/cli/audit.ts', { cwd: directory, env, args })

async function verifyJson() {
  const result = await audit('verify', '--json')
  return { status: result.status, report: JSON.parse(result.stdout) }
}

/** What an attacker with the database file does first: the append-only triggers are in their way. */
function asAttacker(sql: string, ...params: unknown[]) {
  sqlite.$client.exec(
    'drop trigger if exists audit_log_no_update; drop trigger if exists audit_log_no_delete',
  )
  sqlite.$client.prepare(sql).run(...params)
}

/** Recomputes every hash from `sequence` on and moves the head: a chain that verifies on its own. */
async function rechainFrom(sequence: number) {
  const entries = await collect(readAuditChain(db))
  let previous = entries[sequence - 2]?.hash ?? GENESIS_HASH
  for (const entry of entries.slice(sequence - 1)) {
    const hash = auditEntryHash(previous, entry)
    asAttacker(
      'update audit_log set previous_hash = ?, hash = ? where sequence = ?',
      previous,
      hash,
      entry.sequence,
    )
    previous = hash
  }
  asAttacker('update audit_chain_head set last_sequence = ?, last_hash = ?', entries.length, previous)
}

describe('an honest log', () => {
  it('is checkpointed by the command and verifies with a one-line summary, also as JSON', async () => {
    await append(5)
    const first = await audit('checkpoint')
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^Checkpoint signed: 5 entries, last hash [0-9a-f]{64}, appended to /)
    await append(2)
    expect((await audit('checkpoint', '--json')).status).toBe(0)

    const verified = await audit('verify')
    expect(verified.status, verified.stderr).toBe(0)
    expect(verified.stdout.trim()).toMatch(
      /^Audit log verified: 7 entries, chain intact, 2 signed checkpoints agree \(the latest covers 7 entries, \d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/,
    )
    const { status, report } = await verifyJson()
    expect(status).toBe(0)
    expect(report).toMatchObject({
      ok: true,
      entries: 7,
      checkpoints: 2,
      problems: [],
      keyId: key.verifier.keyId,
    })
    expect(readFileSync(checkpointFile, 'utf8').trimEnd().split('\n')).toHaveLength(2)
  })

  it('verifies an empty log, and a log without checkpoints yet', async () => {
    expect((await audit('verify')).stdout.trim()).toBe(
      'Audit log verified: 0 entries, chain intact, no checkpoints yet.',
    )
    await append(3)
    const result = await audit('verify')
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toBe('Audit log verified: 3 entries, chain intact, no checkpoints yet.')
  })
})

describe('a tampered log', () => {
  beforeEach(async () => {
    await append(6)
    await checkpoint()
  })

  it('names an edited entry', async () => {
    asAttacker('update audit_log set detail = ? where sequence = 3', canonicalDetail({ factor: 'passkey' }))
    const result = await audit('verify')
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Entry 3 was edited: its content no longer gives its hash.')
    expect((await verifyJson()).report.problems[0]).toEqual({ kind: 'edited', entry: 3 })
  })

  it('names an entry whose outcome was changed', async () => {
    asAttacker("update audit_log set outcome = 'failure' where sequence = 5")
    expect((await audit('verify')).stderr.trim()).toBe(
      'Entry 5 was edited: its content no longer gives its hash.',
    )
  })

  it('names a deleted entry', async () => {
    asAttacker('delete from audit_log where sequence = 4')
    const result = await audit('verify')
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Entry 4 is missing: it was deleted.')
  })

  it('says which entries a re-chained rewrite may have touched between two checkpoints', async () => {
    await append(3)
    await checkpoint()
    asAttacker('update audit_log set detail = ? where sequence = 8', canonicalDetail({ factor: 'passkey' }))
    await rechainFrom(8)
    expect((await audit('verify')).stderr.trim()).toBe(
      'Entry 7 or one after it up to 9 was rewritten: they differ from a signed checkpoint.',
    )
  })

  it('names the first missing entry of a truncated tail, the head moved back or not', async () => {
    asAttacker('delete from audit_log where sequence > 4')
    expect((await audit('verify')).stderr.trim()).toBe(
      'Entry 5 is missing: the log ends before entry 6, which it held.',
    )
    await rechainFrom(4)
    const result = await audit('verify')
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Entry 5 is missing: the log ends before entry 6, which it held.')
    expect((await verifyJson()).report.problems[0]).toEqual({ kind: 'truncated', entry: 5, through: 6 })
  })

  it('refuses to sign a checkpoint for a log whose head names an entry it does not hold', async () => {
    asAttacker('delete from audit_log where sequence = 6')
    const result = await audit('checkpoint')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('run npm run audit:verify')
    expect(readFileSync(checkpointFile, 'utf8').trimEnd().split('\n')).toHaveLength(1)
  })
})

describe('a tail re-chained after an edit', () => {
  it('verifies as a chain, and the checkpoints name its first entry', async () => {
    // A checkpoint after every entry, as hourly ones would be on a quiet day.
    for (let i = 0; i < 6; i++) {
      await append(1)
      await checkpoint()
    }
    asAttacker('update audit_log set detail = ? where sequence = 4', canonicalDetail({ factor: 'passkey' }))
    await rechainFrom(4)

    const withoutCheckpoints = await runPortalCommand('app/cli/audit.ts', {
      cwd: directory,
      env: { ...env, AUDIT_CHECKPOINT_FILE: join(directory, 'none.jsonl') },
      args: ['verify'],
    })
    expect(withoutCheckpoints.status, 'the rewritten chain is sound on its own').toBe(0)

    const result = await audit('verify')
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Entry 4 was rewritten: it differs from a signed checkpoint.')
    expect((await verifyJson()).report.problems[0]).toEqual({ kind: 'rewritten', entry: 4, through: 4 })
  })
})

describe('checkpoints', () => {
  beforeEach(async () => {
    await append(3)
    await checkpoint()
  })

  it('refuses one signed by another key', async () => {
    const other = auditSigningKey(randomBytes(32).toString('base64'))
    await append(1)
    await writeCheckpoint({ db, key: other, file: checkpointFile })
    const result = await audit('verify')
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe('Checkpoint line 2 is refused: it is signed by another key.')
  })

  it('refuses one whose facts were changed after signing, and a line that is no checkpoint', async () => {
    const [line] = readFileSync(checkpointFile, 'utf8').trimEnd().split('\n')
    const forged = { ...JSON.parse(line as string), count: 2 }
    appendFileSync(checkpointFile, `${JSON.stringify(forged)}\nhello\n`)
    const { status, report } = await verifyJson()
    expect(status).toBe(1)
    expect(report.problems).toEqual([
      { kind: 'checkpoint-refused', line: 2, reason: 'bad-signature' },
      { kind: 'checkpoint-refused', line: 3, reason: 'unreadable' },
    ])
    expect(report.message).toBe('Checkpoint line 2 is refused: its signature does not verify.')
  })
})

describe('appends from two processes at once', () => {
  it('keep one chain: every entry follows the one before, and the checkpoint agrees', async () => {
    const appenders = [1, 2].map(
      (id) =>
        startPortalCommand('tests/support/audit-appender.ts', {
          cwd: directory,
          env: { ...env, APPENDER_ID: String(id), RUN_MS: '1500' },
        }).result,
    )
    await vi.waitFor(
      () => expect(['ready-1', 'ready-2'].every((name) => existsSync(join(directory, name)))).toBe(true),
      { timeout: 60_000, interval: 20 },
    )
    writeFileSync(join(directory, 'go'), '')
    const results = await Promise.all(appenders)
    for (const result of results) expect(result.status, result.stderr).toBe(0)
    const appended = results.map((result) => (JSON.parse(result.stdout) as { appended: number }).appended)

    const actors = (await collect(readAuditChain(db))).map((entry) => entry.actor.id)
    expect(actors).toHaveLength(appended.reduce((sum, count) => sum + count, 0))
    const switches = actors.filter((actor, i) => i > 0 && actor !== actors[i - 1]).length
    expect(switches, 'the two processes took turns').toBeGreaterThan(2)

    expect((await audit('checkpoint')).status).toBe(0)
    const { status, report } = await verifyJson()
    expect(status).toBe(0)
    expect(report.entries).toBe(actors.length)
  })
})
