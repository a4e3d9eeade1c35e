import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KeyStatus, keyIdHex } from '~/keys/key-status.server'
import { createBlindIndexer, indexKeyIdOf } from '~db/blind-index'
import { normaliseEmail } from '~db/normalise'
import { CURRENT_SUITE, createKeyring, dataKeyFrom, unsealJson } from '~db/seal'
import { subjectRecordContext } from '~db/subject-record'
import {
  memberAddress,
  type NotifiedPopulation,
  notifiedPopulation,
  runPortalCommand,
  startPortalCommand,
} from '../support/notified-population'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from '../support/postgres-database'

/**
 * `npm run keys:rotate` on PostgreSQL: a database imported and notified under
 * data key A and index key A, rotated with B current and A previous for
 * both, and run to its end after a run killed part way. Afterwards every
 * value opens under B alone and every member is found by the digest of their
 * address under index key B.
 */

/** Enough members for their records alone to take several batches of 250 rows. */
const MEMBERS = 700

let database: ScratchPostgresDatabase
let population: NotifiedPopulation
let client: pg.Client
const KEY_B = randomBytes(32).toString('base64')
const INDEX_B = randomBytes(32).toString('base64')

beforeAll(async () => {
  database = await scratchPostgresDatabase('keys_rotate')
  population = await notifiedPopulation({ count: MEMBERS, databaseUrl: database.url })
  client = new pg.Client(database.url)
  await client.connect()
}, 120_000)

afterAll(async () => {
  await client?.end()
  population?.remove()
  await database?.drop()
})

const bothKeys = () => ({
  PORTAL_DATA_KEY: KEY_B,
  PORTAL_PREVIOUS_DATA_KEYS: population.secrets.PORTAL_DATA_KEY,
  PORTAL_INDEX_KEY: INDEX_B,
  PORTAL_PREVIOUS_INDEX_KEY: population.secrets.PORTAL_INDEX_KEY,
})

const keysCommand = (keys: Record<string, string>, args: string[]) =>
  runPortalCommand('app/cli/keys.ts', {
    cwd: population.directory,
    env: { ...population.env, ...keys },
    args,
  })

type KeysReport = KeyStatus & { index: { storedKeyId: string; toRecompute: number; problem: string | null } }

async function status(keys: Record<string, string>) {
  const result = await keysCommand(keys, ['status', '--json'])
  expect(result.status, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as KeysReport
}

/** Records sealed under B, of all members' records. */
async function recordsUnderB() {
  const header = Buffer.alloc(3)
  header.writeUInt8(CURRENT_SUITE, 0)
  header.writeUInt16BE(dataKeyFrom(KEY_B).id, 1)
  const { rows } = await client.query<{ under: string }>(
    'select count(*) as under from subjects where substr(record_sealed, 1, 3) = $1',
    [header],
  )
  return Number(rows[0]?.under)
}

describe('npm run keys:rotate on PostgreSQL', () => {
  it('seals every value again and recomputes every digest, carrying on after a run killed part way', async () => {
    const before = await status(bothKeys())
    expect(before.toReseal).toBeGreaterThan(MEMBERS * 2)
    expect(before.index.toRecompute).toBeGreaterThan(MEMBERS)

    // Killed once some batches of records are in: what they did stays done.
    await killRotationOnce(async () => (await recordsUnderB()) >= 250)
    expect(await recordsUnderB()).toBeGreaterThanOrEqual(250)
    const stopped = await status(bothKeys())
    expect(stopped.toReseal + stopped.index.toRecompute).toBeGreaterThan(0)

    const rotated = await keysCommand(bothKeys(), ['rotate'])
    expect(rotated.status, rotated.stderr).toBe(0)
    expect(rotated.stderr).toContain('Web nodes may be serving this database')

    // B alone from now on: nothing is left under A, and nothing A alone could open.
    const after = await status({ PORTAL_DATA_KEY: KEY_B, PORTAL_INDEX_KEY: INDEX_B })
    expect(after).toMatchObject({ toReseal: 0, unopenable: 0, malformed: 0 })
    expect(after.keys).toEqual([
      expect.objectContaining({ keyId: keyIdHex(dataKeyFrom(KEY_B).id), role: 'current' }),
    ])
    expect(after.index).toMatchObject({ storedKeyId: indexKeyIdOf(INDEX_B), toRecompute: 0, problem: null })
    expect(await recordsUnderB()).toBe(MEMBERS)

    // Each member's record opens under B, and their address's digest under index key B finds them.
    const keyring = createKeyring({ current: KEY_B })
    const index = createBlindIndexer(INDEX_B)
    const { rows } = await client.query<{ id: string; record_sealed: Buffer; email_index: Buffer }>(
      'select id, record_sealed, email_index from subjects order by id',
    )
    expect(rows).toHaveLength(MEMBERS)
    const addresses = new Set(Array.from({ length: MEMBERS }, (_, i) => memberAddress(i)))
    for (const row of rows) {
      const record = unsealJson<{ email?: string }>({
        keyring,
        context: subjectRecordContext(Number(row.id)),
        sealed: row.record_sealed,
      })
      expect(addresses.delete(record.email ?? '')).toBe(true)
      expect(row.email_index.equals(index('email', normaliseEmail(record.email ?? '') ?? ''))).toBe(true)
    }
    expect(addresses.size).toBe(0)
  }, 180_000)
})

/** Starts a rotation and kills it (SIGKILL) once `done` says it has gone far enough. */
async function killRotationOnce(done: () => Promise<boolean>) {
  const { child, result } = startPortalCommand('app/cli/keys.ts', {
    cwd: population.directory,
    env: { ...population.env, ...bothKeys() },
    args: ['rotate'],
  })
  for (let tries = 0; tries < 600 && !(await done()); tries++)
    await new Promise((resolve) => setTimeout(resolve, 50))
  child.kill('SIGKILL')
  const ended = await result
  expect(ended.signal).toBe('SIGKILL')
}
