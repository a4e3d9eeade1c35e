import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCheckpoint } from '~/audit/audit-checkpoints.server'
import { auditSigningKey } from '~/audit/audit-signing-key.server'
import { verifyAuditLog } from '~/audit/audit-verification.server'
import { auditEntryHash, GENESIS_HASH } from '~db/audit-entry'
import { appendAuditEntry, readAuditChain, readAuditChainHead } from '~db/audit-log'
import { type PortalDatabase, prepared, withTransaction } from '~db/database'
import { collect } from '../support/collect'
import { type MigratedPostgres, migratedPostgres } from '../support/migrated-postgres'
import { testSecrets } from '../support/secrets'

/**
 * The audit chain on PostgreSQL, appended to from two nodes at once: the
 * appends take turns, so the chain never forks (every entry follows the one
 * before it, numbered without a gap), an entry whose action rolls back leaves
 * no trace, and the whole log verifies against a checkpoint signed meanwhile.
 */

const PER_NODE = 30

let postgres: MigratedPostgres
let directory: string

beforeAll(async () => {
  postgres = await migratedPostgres('audit_chain')
  directory = mkdtempSync(join(tmpdir(), 'audit-chain-'))
})

afterAll(async () => {
  await postgres.remove()
  rmSync(directory, { recursive: true, force: true })
})

const staff = (node: number) => `S000000000${node}`

/** One append as an action's callers make them: alone, with its action, or with an action that fails. */
async function append(db: PortalDatabase, node: number, index: number) {
  const entry = { actor: { kind: 'staff' as const, id: staff(node) }, action: 'case.opened' as const }
  if (index % 3 === 0) {
    await appendAuditEntry(db, { ...entry, outcome: 'success' })
    return 'kept'
  }
  const refused = index % 3 === 2
  try {
    await withTransaction(db, async (tx) => {
      await prepared(tx, "insert into sessions (id_hash, kind, expires_at) values (?, 'staff', ?)").run(
        Buffer.from(`${node}-${index}`.padEnd(32, '.')),
        1_900_000_000_000,
      )
      await appendAuditEntry(tx, { ...entry, outcome: 'success' })
      if (refused) throw new Error('the action failed after its entry')
    })
  } catch (error) {
    if (!refused) throw error
    return 'undone'
  }
  return 'kept'
}

describe('the audit chain on PostgreSQL, appended to from two nodes at once', () => {
  it('never forks: one gapless chain of every kept entry, verified against a checkpoint', async () => {
    const nodes = [postgres.db, postgres.anotherNode()]
    const key = auditSigningKey(testSecrets().AUDIT_SIGNING_KEY)
    const checkpointFile = join(directory, 'audit-checkpoints.jsonl')
    const outcomes = await Promise.all([
      ...nodes.flatMap((db, node) =>
        Array.from({ length: PER_NODE }, (_, index) => append(db, node + 1, index)),
      ),
      // A checkpoint signed while the appends go on vouches for the chain as it stood.
      writeCheckpoint({ db: nodes[1] as PortalDatabase, key, file: checkpointFile }).then(() => 'signed'),
    ])
    const kept = outcomes.filter((outcome) => outcome === 'kept').length
    expect(kept).toBe(2 * (PER_NODE - Math.floor((PER_NODE + 1) / 3)))

    const chain = await collect(readAuditChain(postgres.db, { pageSize: 7 }))
    expect(chain.map((entry) => entry.sequence)).toEqual(Array.from({ length: kept }, (_, i) => i + 1))
    let previous: Buffer = GENESIS_HASH
    for (const { previousHash, hash, ...content } of chain) {
      expect(previousHash).toEqual(previous)
      expect(auditEntryHash(previous, content)).toEqual(hash)
      previous = hash
    }
    expect(await readAuditChainHead(postgres.db)).toEqual({ lastSequence: kept, lastHash: previous })
    for (const node of [1, 2]) {
      expect(chain.filter((entry) => entry.actor.id === staff(node))).toHaveLength(kept / 2)
    }

    const verification = await verifyAuditLog({ db: postgres.db, key: key.verifier, checkpointFile })
    expect(verification).toMatchObject({ ok: true, entries: kept, checkpoints: 1, problems: [] })
  })
})
