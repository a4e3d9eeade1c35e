import { createHash, createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import { BLIND_INDEX_KINDS, createBlindIndexer, indexKeyIdOf } from '~db/blind-index'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import { generateExports } from '~db/generate/generate'
import { importFiles } from '~db/import/import-files'
import {
  countDigestRowsToRecompute,
  cryptoForDatabase,
  indexKeyProblem,
  indexKeyState,
  recomputeDigests,
  rotationUnfinished,
} from '~db/index-key-rotation'
import { listOutbox } from '~db/outbox'
import { createPortalCrypto } from '~db/portal-crypto'
import { sodium } from '~db/sodium'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { findHumanIdByEmail } from '~db/subjects'
import { hmacSuiteCrypto } from '../support/hmac-suite'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'
import { compareStoredDigests } from '../support/stored-digests'

/**
 * The blind-index suites: keyed BLAKE2b with a key per kind for digests made
 * now, HMAC-SHA256 as before for digests an earlier version made, and the
 * upgrade of a database from one to the other through `npm run keys:rotate`.
 */

const key = randomBytes(32).toString('base64')
const raw = Buffer.from(key, 'base64')

/** BLAKE2b as libsodium computes it, written out: the kind's key from the index key, then the digest. */
function referenceBlake2b(kind: string, value: string) {
  const kindKey = Buffer.alloc(32)
  sodium.crypto_generichash(kindKey, Buffer.from(`portal-blind-index:${kind}`), raw)
  const digest = Buffer.alloc(16)
  sodium.crypto_generichash(digest, Buffer.from(value), kindKey)
  return digest
}

describe('the BLAKE2b suite', () => {
  const index = createBlindIndexer(key)

  it('gives 128-bit keyed BLAKE2b digests under a key per kind, for short, long and non-ASCII values', () => {
    const values = [
      'taro@example.jp',
      'ミホン|1985-04-01',
      'x'.repeat(341),
      'あ'.repeat(400),
      'y'.repeat(5000),
      '',
    ]
    for (const value of values) {
      const digest = index('email', value)
      expect(digest).toHaveLength(16)
      expect(digest.equals(referenceBlake2b('email', value))).toBe(true)
    }
  })

  it('gives the same digest again after other values, and unrelated ones per kind and per key', () => {
    const first = Buffer.from(index('phone', '09012345678'))
    index('phone', 'a much longer value that overwrites the buffer the input is encoded into')
    expect(index('phone', '09012345678').equals(first)).toBe(true)
    const perKind = new Set(BLIND_INDEX_KINDS.map((kind) => index(kind, 'M1').toString('hex')))
    expect(perKind.size).toBe(BLIND_INDEX_KINDS.length)
    expect(createBlindIndexer(randomBytes(32).toString('base64'))('phone', '09012345678').equals(first)).toBe(
      false,
    )
  })

  it('is not the HMAC-SHA256 suite, which still gives the digests of before', () => {
    const hmac = createBlindIndexer(key, 'hmac-sha256')
    const before = createHmac('sha256', raw).update('email').update('\u0000').update('taro@example.jp')
    expect(hmac('email', 'taro@example.jp').equals(before.digest().subarray(0, 16))).toBe(true)
    expect(hmac('email', 'taro@example.jp').equals(index('email', 'taro@example.jp'))).toBe(false)
  })

  it('gives the key another ID under each suite, the HMAC one as before', () => {
    const before = createHash('sha256').update('portal-index-key-id').update(raw).digest().subarray(0, 4)
    expect(indexKeyIdOf(key, 'hmac-sha256')).toBe(before.toString('hex'))
    expect(indexKeyIdOf(key)).toMatch(/^[0-9a-f]{8}$/)
    expect(indexKeyIdOf(key)).not.toBe(indexKeyIdOf(key, 'hmac-sha256'))
  })
})

describe('a database indexed under HMAC-SHA256, upgraded', () => {
  const secrets = testSecrets()
  const configured = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY,
    indexKey: secrets.PORTAL_INDEX_KEY,
  })
  const before = hmacSuiteCrypto(configured)
  /** A notified person's address, as found by e-mail. */
  let notified = ''
  let directory: string
  let db: SqliteDatabase

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'index-suite-'))
    db = openMigratedDatabase(join(directory, 'portal.db'))
    const exports = join(directory, 'export')
    await generateExports({
      outDir: exports,
      members: 120,
      buyers: 30,
      employees: 5,
      warehouse: 5,
      seed: 'index-suite',
      encoding: 'utf8',
      messy: false,
      demo: true,
    })
    await importFiles({ db, crypto: before, paths: [exports] })
    await notifyEveryone({
      db: sqlitePortalDatabase(db),
      crypto: before,
      portalAddress: 'portal.example.jp',
      outputDirectory: directory,
      postcardsPath: join(directory, 'postcards.csv'),
      handoutsPath: join(directory, 'handouts.csv'),
    })
    const mailed = (await listOutbox(sqlitePortalDatabase(db), before.keyring, { limit: 1 }))[0]?.content as
      | EmailContent
      | undefined
    if (!mailed) throw new Error('nobody was mailed')
    notified = mailed.to
  })

  afterAll(() => {
    closeDatabase(db)
    rmSync(directory, { recursive: true, force: true })
  })

  it('is recorded, on its first open, as under the HMAC ID of its key, which the key alone serves', async () => {
    expect(compareStoredDigests(db, before).differing).toBe(0)
    const state = await indexKeyState(sqlitePortalDatabase(db), before)
    expect(state.storedKeyId).toBe(indexKeyIdOf(secrets.PORTAL_INDEX_KEY, 'hmac-sha256'))
    expect(indexKeyProblem(state, configured)).toBeUndefined()
    expect(rotationUnfinished(state, configured)).toBe(true)
    // Without the database's word, lookups are under BLAKE2b alone and find nobody.
    expect(
      await findHumanIdByEmail(sqlitePortalDatabase(db), configured.lookup('email', notified)),
    ).toBeUndefined()
    const served = await cryptoForDatabase(sqlitePortalDatabase(db), configured)
    expect(served.previousIndexKeyId).toBe(state.storedKeyId)
    expect(await findHumanIdByEmail(sqlitePortalDatabase(db), served.lookup('email', notified))).toBeDefined()
  })

  it('has every digest recomputed under BLAKE2b by the rotation, after which the key alone needs nothing else', async () => {
    const served = await cryptoForDatabase(sqlitePortalDatabase(db), configured)
    const total = await countDigestRowsToRecompute(
      sqlitePortalDatabase(db),
      await indexKeyState(sqlitePortalDatabase(db), served),
      served,
    )
    expect(total).toBe(compareStoredDigests(db, before).rows)
    expect(await recomputeDigests(sqlitePortalDatabase(db), served, { batchRows: 40 })).toBe(total)
    expect(compareStoredDigests(db, configured)).toEqual({ rows: total, differing: 0 })
    const state = await indexKeyState(sqlitePortalDatabase(db), configured)
    expect(state).toMatchObject({ storedKeyId: configured.indexKeyId, unsealedCodes: 0 })
    expect(rotationUnfinished(state, configured)).toBe(false)
    const after = await cryptoForDatabase(sqlitePortalDatabase(db), configured)
    expect(after.previousIndexKeyId).toBeUndefined()
    expect(await findHumanIdByEmail(sqlitePortalDatabase(db), after.lookup('email', notified))).toBeDefined()
  })

  it('is recognised by migration 0021 when it was indexed before index keys were recorded', async () => {
    const markUntracked = readFileSync(
      new URL('../../db/migrations/0021_untracked_index_suite.sql', import.meta.url),
      'utf8',
    )
    db.$client.prepare("delete from portal_meta where key = 'index_key_id'").run()
    db.$client.exec(markUntracked)
    const keyB = randomBytes(32).toString('base64')
    const rotating = createPortalCrypto({
      ...configured.secrets,
      indexKey: keyB,
      previousIndexKey: secrets.PORTAL_INDEX_KEY,
    })
    expect((await indexKeyState(sqlitePortalDatabase(db), rotating)).storedKeyId).toBe(
      indexKeyIdOf(secrets.PORTAL_INDEX_KEY, 'hmac-sha256'),
    )
    expect((await cryptoForDatabase(sqlitePortalDatabase(db), rotating)).previousIndexKeyId).toBe(
      indexKeyIdOf(secrets.PORTAL_INDEX_KEY, 'hmac-sha256'),
    )
  })

  it('is not how a database indexed since is recorded', async () => {
    const fresh = openMigratedDatabase(join(directory, 'fresh.db'))
    try {
      // Read before the state is recorded, the keys come back as they are and nothing is recorded.
      expect(await cryptoForDatabase(sqlitePortalDatabase(fresh), configured)).toBe(configured)
      expect(
        fresh.$client.prepare('select count(*) from portal_meta where key like ?').pluck().get('index%'),
      ).toBe(0)
      expect((await indexKeyState(sqlitePortalDatabase(fresh), configured)).storedKeyId).toBe(
        configured.indexKeyId,
      )
    } finally {
      closeDatabase(fresh)
    }
  })
})
