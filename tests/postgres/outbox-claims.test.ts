import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type PortalDatabase, prepared, withTransaction } from '~db/database'
import { createNotificationWriter } from '~db/notifications'
import { type ClaimedMessage, claimDueMessages } from '~db/outbox'
import { createKeyring } from '~db/seal'
import { type MigratedPostgres, migratedPostgres } from '../support/migrated-postgres'
import { testSecrets } from '../support/secrets'

/**
 * Senders on several nodes claim from one outbox on PostgreSQL: none ever
 * holds a message another holds, each skipping the rows another is claiming
 * rather than waiting for it, and every due message is claimed once.
 */

const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
const LEASE_MS = 60_000
const NOW = 1_800_000_000_000

let postgres: MigratedPostgres

beforeEach(async () => {
  postgres = await migratedPostgres('outbox_claims')
})

afterEach(async () => {
  await postgres.remove()
})

/** `count` urgent replies queued; answers their outbox IDs. */
async function queue(count: number) {
  const writer = createNotificationWriter(postgres.db, keyring)
  for (let index = 0; index < count; index++) await writer.queueReply({ index })
  return (
    await prepared<{ id: number }>(postgres.db, 'select id from outbox_messages order by id').all()
  ).map((row) => row.id)
}

const claim = (db: PortalDatabase, limit: number) =>
  claimDueMessages(db, keyring, { now: NOW, limit, leaseMs: LEASE_MS })

/** A sender's loop: claims until a claim finds nothing due; answers every ID it was given. */
async function drain(db: PortalDatabase, limit: number) {
  const taken: ClaimedMessage[] = []
  for (;;) {
    const claimed = await claim(db, limit)
    if (claimed.length === 0) return taken
    taken.push(...claimed)
  }
}

describe('outbox claims on PostgreSQL', () => {
  it('give every message to one sender once, with senders on two nodes claiming at once', async () => {
    const ids = await queue(120)
    const nodes = [postgres.db, postgres.anotherNode()]
    // Three senders a node, each claiming a few at a time, all started together.
    const senders = nodes.flatMap((db) => [5, 7, 3].map((limit) => drain(db, limit)))
    const taken = (await Promise.all(senders)).flat()
    const takenIds = taken.map((message) => message.id)
    expect(new Set(takenIds).size).toBe(takenIds.length)
    expect([...takenIds].sort((a, b) => a - b)).toEqual(ids)
    expect(taken.every((message) => message.attempts === 1)).toBe(true)
    const states = await prepared<{ state: string; count: number }>(
      postgres.db,
      'select state, count(*) as count from outbox_messages group by state',
    ).all()
    expect(states).toEqual([{ state: 'sending', count: ids.length }])
  })

  it("skips the messages another node holds, rather than waiting for that node's transaction", async () => {
    const ids = await queue(6)
    const held = ids.slice(0, 2)
    const other = postgres.anotherNode()
    // The first node holds two rows locked (and the portal's write turn) while the second claims.
    const claimedMeanwhile = await withTransaction(postgres.db, async (tx) => {
      await prepared(tx, 'select id from outbox_messages where id in (?, ?) for update').all(...held)
      return claim(other, 10)
    })
    expect(claimedMeanwhile.map((message) => message.id)).toEqual(ids.slice(2))
    expect((await claim(other, 10)).map((message) => message.id)).toEqual(held)
  })
})
