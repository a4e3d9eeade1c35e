import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startAuditCheckpoints } from '~/audit/checkpoint-schedule.server'
import { parseConfig } from '~/config.server'
import { sweepDatabase } from '~/server/housekeeping'
import { prepared } from '~db/database'
import { runOnOneNode } from '~db/periodic-jobs'
import { type MigratedPostgres, migratedPostgres } from '../support/migrated-postgres'
import { testSecrets } from '../support/secrets'

/**
 * Housekeeping and audit checkpoints on PostgreSQL run on one node at a time:
 * a node that finds another in the middle of a round skips its own.
 */

const HOUR = 60 * 60 * 1000
const NOW = 1_800_000_000_000

let postgres: MigratedPostgres
let directory: string

beforeEach(async () => {
  postgres = await migratedPostgres('periodic_jobs')
  directory = mkdtempSync(join(tmpdir(), 'periodic-jobs-'))
})

afterEach(async () => {
  await postgres.remove()
  rmSync(directory, { recursive: true, force: true })
})

/** Runs `meanwhile` while the first node is in the middle of a round of `job`. */
function whileFirstNodeRuns<T>(job: 'housekeeping' | 'audit-checkpoint', meanwhile: () => Promise<T>) {
  return runOnOneNode(postgres.db, job, () => meanwhile())
}

async function expiredRows() {
  const { db } = postgres
  await prepared(db, "insert into sessions (id_hash, kind, expires_at) values (?, 'customer', ?)").run(
    Buffer.alloc(32, 1),
    NOW - 1,
  )
  await prepared(
    db,
    'insert into rate_limit_counters (bucket, key_index, window_start, count) values (?, ?, ?, 1)',
  ).run('day-old', Buffer.alloc(16, 2), NOW - 25 * HOUR)
  await prepared(
    db,
    `insert into verification_challenges (type, target_index, code_hash, expires_at) values ('email', ?, ?, ?)`,
  ).run(Buffer.alloc(16, 3), Buffer.alloc(16), NOW - 1)
  await prepared(
    db,
    'insert into return_drafts (token_hash, created_at, updated_at, expires_at) values (?, ?, ?, ?)',
  ).run(Buffer.alloc(32, 4), NOW - 25 * HOUR, NOW - 25 * HOUR, NOW - HOUR)
}

const remaining = async () => {
  const count = (table: string) => prepared(postgres.db, `select count(*) from ${table}`).value<number>()
  return {
    sessions: await count('sessions'),
    counters: await count('rate_limit_counters'),
    challenges: await count('verification_challenges'),
    drafts: await count('return_drafts'),
  }
}

describe('periodic jobs on PostgreSQL', () => {
  it('run a round on one node, while the other skips it; once done, the other runs its next', async () => {
    const other = postgres.anotherNode()
    const round = await whileFirstNodeRuns('housekeeping', async () => ({
      sameJob: await runOnOneNode(other, 'housekeeping', async () => 'swept'),
      otherJob: await runOnOneNode(other, 'audit-checkpoint', async () => 'signed'),
    }))
    expect(round).toEqual({
      ran: true,
      result: { sameJob: { ran: false }, otherJob: { ran: true, result: 'signed' } },
    })
    expect(await runOnOneNode(other, 'housekeeping', async () => 'swept')).toEqual({
      ran: true,
      result: 'swept',
    })
  })

  it('sweep what expired, unless another node is sweeping', async () => {
    await expiredRows()
    const other = postgres.anotherNode()
    const countersKeptMs = 24 * HOUR
    const skipped = await whileFirstNodeRuns('housekeeping', () =>
      sweepDatabase(other, { now: NOW, countersKeptMs }),
    )
    expect(skipped).toEqual({ ran: true, result: { ran: false } })
    expect(await remaining()).toEqual({ sessions: 1, counters: 1, challenges: 1, drafts: 1 })
    expect(await sweepDatabase(other, { now: NOW, countersKeptMs })).toEqual({
      ran: true,
      result: undefined,
    })
    expect(await remaining()).toEqual({ sessions: 0, counters: 0, challenges: 0, drafts: 0 })
  })

  it('sign a checkpoint on one node at a time', async () => {
    const config = parseConfig({
      ...testSecrets(),
      DATABASE_URL: postgres.url,
      AUDIT_CHECKPOINT_FILE: join(directory, 'audit-checkpoints.jsonl'),
    })
    await whileFirstNodeRuns('audit-checkpoint', () => startAuditCheckpoints(config).stop())
    expect(existsSync(config.AUDIT_CHECKPOINT_FILE)).toBe(false)
    await startAuditCheckpoints(config).stop()
    const lines = readFileSync(config.AUDIT_CHECKPOINT_FILE, 'utf8').trimEnd().split('\n')
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ v: 1, count: 0 }])
  })
})
