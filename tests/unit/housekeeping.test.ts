import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '~/config.server'
import { startHousekeeping } from '~/server/housekeeping'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import {
  findEmailChallenge,
  recordEmailChallengeFailure,
  replaceEmailChallenge,
  withdrawEmailChallenge,
} from '~db/verification'
import { testSecrets } from '../support/secrets'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

const HOUR = 60 * 60 * 1000
let temp: TempDatabase

beforeEach(async () => {
  temp = await importedDatabase('housekeeping-', {})
})

afterEach(() => temp.remove())

const challenge = async (
  target: string,
  { expiresAt, consecutiveFailures }: { expiresAt: number; consecutiveFailures: number },
) => {
  const targetIndex = Buffer.alloc(16, target)
  await replaceEmailChallenge(sqlitePortalDatabase(temp.db), {
    targetIndex,
    codeHash: Buffer.alloc(16),
    expiresAt,
    now: expiresAt - 1,
  })
  temp.db.$client
    .prepare('update verification_challenges set consecutive_failures = ? where target_index = ?')
    .run(consecutiveFailures, targetIndex)
}

const counter = (bucket: string, windowStart: number) =>
  temp.db.$client
    .prepare('insert into rate_limit_counters (bucket, key_index, window_start, count) values (?, ?, ?, 1)')
    .run(bucket, Buffer.alloc(16, bucket), windowStart)

describe('housekeeping', () => {
  it('purges expired codes with no wrong tries to remember, and counters older than the longest window (a day)', async () => {
    const now = Date.now()
    await challenge('a', { expiresAt: now - 1000, consecutiveFailures: 0 })
    await challenge('b', { expiresAt: now - 1000, consecutiveFailures: 7 })
    await challenge('c', { expiresAt: now + 60_000, consecutiveFailures: 0 })
    counter('day-old', now - 25 * HOUR)
    counter('today', now - 23 * HOUR)
    const config = parseConfig({ ...testSecrets(), DATABASE_URL: join(temp.directory, 'portal.db') })
    await startHousekeeping(config).stop()
    const targets = temp.db.$client
      .prepare('select target_index from verification_challenges order by target_index')
      .pluck()
      .all() as Buffer[]
    expect(targets.map((target) => String.fromCharCode(target[0] as number))).toEqual(['b', 'c'])
    const buckets = temp.db.$client.prepare('select bucket from rate_limit_counters').pluck().all()
    expect(buckets).toEqual(['today'])
  })

  it('keeps a withdrawn code while its wrong tries count, so asking again never buys a fresh count', async () => {
    const now = Date.now()
    const targetIndex = Buffer.alloc(16, 'w')
    const type = 'email-change' as const
    const db = sqlitePortalDatabase(temp.db)
    await replaceEmailChallenge(db, {
      targetIndex,
      codeHash: Buffer.alloc(16),
      expiresAt: now + 600_000,
      now,
      type,
    })
    await recordEmailChallengeFailure(db, targetIndex, type)
    await recordEmailChallengeFailure(db, targetIndex, type)
    await withdrawEmailChallenge(db, { targets: [targetIndex, targetIndex], type, now })
    expect(await findEmailChallenge(db, [targetIndex, targetIndex], type)).toMatchObject({
      expiresAt: now,
      consecutiveFailures: 2,
    })
    const config = parseConfig({ ...testSecrets(), DATABASE_URL: join(temp.directory, 'portal.db') })
    await startHousekeeping(config).stop()
    await replaceEmailChallenge(db, {
      targetIndex,
      codeHash: Buffer.alloc(16),
      expiresAt: now + 600_000,
      now,
      type,
    })
    expect(await findEmailChallenge(db, [targetIndex, targetIndex], type)).toMatchObject({
      failures: 0,
      consecutiveFailures: 2,
    })
  })
})
