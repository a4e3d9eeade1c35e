import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { notifyEveryone } from '~/notify/notify.server'
import { newReturnReference } from '~/returns/return-reference.server'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import { generateExports } from '~db/generate/generate'
import { importFiles } from '~db/import/import-files'
import {
  countDigestRowsToRecompute,
  indexKeyProblem,
  indexKeyState,
  recomputeDigests,
} from '~db/index-key-rotation'
import { detailsContext as memberDetailsContext } from '~db/member-accounts'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { createDraft, saveDraftDetails, setDraftEmailIndex } from '~db/return-drafts'
import { fileDraftAsRequest } from '~db/return-requests'
import { sealJson } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { insertStaffMember } from '~db/staff-members'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'
import { compareStoredDigests } from '../support/stored-digests'

/**
 * Index-key rotation over a database with every kind of stored digest: the
 * generator's four cohorts with cards, notices with letter codes and message
 * references, and a staff member. What is checked is what a rotation means:
 * afterwards each stored digest is the one its sealed value gives under the
 * new key, and until then nothing is lost.
 */

const secrets = testSecrets()
const keyA = secrets.PORTAL_INDEX_KEY
const keyB = randomBytes(32).toString('base64')
const keyC = randomBytes(32).toString('base64')
const cryptoWith = (indexKey: string, previousIndexKey?: string) =>
  createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY,
    indexKey,
    ...(previousIndexKey && { previousIndexKey }),
  })
const underA = cryptoWith(keyA)
const MOVED = 'moved.member@example.jp'
const RETURNING = 'returning.customer@example.jp'
const DRAFTING = 'drafting.customer@example.jp'
const fromAtoB = cryptoWith(keyB, keyA)

let directory: string
let db: SqliteDatabase

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'index-rotation-'))
  db = openMigratedDatabase(join(directory, 'portal.db'))
  const exports = join(directory, 'export')
  await generateExports({
    outDir: exports,
    members: 300,
    buyers: 80,
    employees: 10,
    warehouse: 10,
    seed: 'index-rotation',
    encoding: 'utf8',
    messy: false,
    demo: true,
  })
  await importFiles({ db, crypto: underA, paths: [exports] })
  await notifyEveryone({
    db: sqlitePortalDatabase(db),
    crypto: underA,
    portalAddress: 'portal.example.jp',
    outputDirectory: directory,
    postcardsPath: join(directory, 'postcards.csv'),
    handoutsPath: join(directory, 'handouts.csv'),
  })
  await insertStaffMember(sqlitePortalDatabase(db), underA, {
    id: 'S-ROTATE',
    email: { shown: 'Desk.One@Example.jp', matched: 'desk.one@example.jp' },
    name: 'Desk One',
    role: 'agent',
    enrolmentPasswordHash: 'not-a-hash',
    enrolmentExpiresAt: new Date(Date.now() + 86_400_000),
    now: new Date(),
  })
  // A member's confirmed new address, a filed return request and a draft awaiting its code.
  const now = Date.now()
  const memberId = db.$client.prepare('select min(subject_id) from member_accounts').pluck().get() as number
  db.$client
    .prepare('update member_accounts set details_sealed = ?, email_index = ? where subject_id = ?')
    .run(
      sealJson({ keyring: underA.keyring, context: memberDetailsContext(memberId), value: { email: MOVED } }),
      underA.index('email', MOVED),
      memberId,
    )
  const portal = sqlitePortalDatabase(db)
  await fileDraftAsRequest(portal, underA.keyring, {
    draftId: await createDraft(portal, { tokenHash: randomBytes(32), now }),
    reference: newReturnReference(),
    humanId: undefined,
    emailIndex: underA.index('email', RETURNING),
    reason: 'damaged',
    details: { email: RETURNING },
    now,
  })
  const draftId = await createDraft(portal, { tokenHash: randomBytes(32), now })
  await saveDraftDetails(portal, underA.keyring, { draftId, details: { ready: { email: DRAFTING } }, now })
  await setDraftEmailIndex(portal, { draftId, emailIndex: underA.index('email', DRAFTING) })
  // Recorded as the state of a database first opened with index keys tracked.
  await indexKeyState(sqlitePortalDatabase(db), underA)
})

afterAll(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

/** Each indexed row's stored digests against those its sealed values give under `crypto`. */
const compareDigests = (crypto: PortalCrypto) => compareStoredDigests(db, crypto)

const countIn = (table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number

describe('blind indexes under a new index key', () => {
  it('holds every kind of digest, each the one its sealed value gives under the key of its day', () => {
    expect(countIn('stored_cards')).toBeGreaterThan(0)
    expect(countIn('notifications')).toBeGreaterThan(300)
    for (const table of ['return_requests', 'return_drafts'])
      expect(db.$client.prepare(`select count(email_index) from ${table}`).pluck().get()).toBe(1)
    expect(countIn('member_accounts where email_index is not null')).toBe(1)
    const { rows, differing } = compareDigests(underA)
    expect(rows).toBeGreaterThan(countIn('subjects') + countIn('notifications'))
    expect(differing).toBe(0)
    expect(compareDigests(cryptoWith(keyB)).differing).toBe(rows)
  })

  it('is refused, naming the stored key, by a configuration without it', async () => {
    const alone = cryptoWith(keyB)
    const problem = indexKeyProblem(await indexKeyState(sqlitePortalDatabase(db), alone), alone)
    expect(problem).toContain(underA.indexKeyId)
    expect(problem).toContain('PORTAL_PREVIOUS_INDEX_KEY')
    expect(indexKeyProblem(await indexKeyState(sqlitePortalDatabase(db), fromAtoB), fromAtoB)).toBeUndefined()
  })

  it('recomputes them all from their sealed values, carrying on where a stopped run left off', async () => {
    const total = await countDigestRowsToRecompute(
      sqlitePortalDatabase(db),
      await indexKeyState(sqlitePortalDatabase(db), fromAtoB),
      fromAtoB,
    )
    expect(total).toBe(compareDigests(underA).rows)
    // A run stopped part way (as a kill would), batch by batch: what it did stays done.
    let seen = 0
    await expect(
      recomputeDigests(sqlitePortalDatabase(db), fromAtoB, {
        batchRows: 50,
        progress: (done) => {
          seen = done
          if (done >= 200) throw new Error('stopped')
        },
      }),
    ).rejects.toThrow('stopped')
    expect(seen).toBe(200)
    const midway = await indexKeyState(sqlitePortalDatabase(db), fromAtoB)
    expect(midway).toMatchObject({ storedKeyId: underA.indexKeyId, movingToKeyId: fromAtoB.indexKeyId })
    expect(await countDigestRowsToRecompute(sqlitePortalDatabase(db), midway, fromAtoB)).toBe(total - 200)
    // Another target while one rotation is unfinished would leave digests under three keys.
    const elsewhere = cryptoWith(keyC, keyA)
    expect(indexKeyProblem(await indexKeyState(sqlitePortalDatabase(db), elsewhere), elsewhere)).toContain(
      fromAtoB.indexKeyId,
    )

    expect(await recomputeDigests(sqlitePortalDatabase(db), fromAtoB, { batchRows: 50 })).toBe(total - 200)
    expect(compareDigests(cryptoWith(keyB))).toEqual({ rows: total, differing: 0 })
    const after = await indexKeyState(sqlitePortalDatabase(db), fromAtoB)
    expect(after).toMatchObject({ storedKeyId: fromAtoB.indexKeyId })
    expect(after.movingToKeyId).toBeUndefined()
    expect(await countDigestRowsToRecompute(sqlitePortalDatabase(db), after, fromAtoB)).toBe(0)
    expect(db.$client.prepare('pragma integrity_check').pluck().get()).toBe('ok')
    // B alone now serves: nothing is under A any more.
    const alone = cryptoWith(keyB)
    expect(indexKeyProblem(await indexKeyState(sqlitePortalDatabase(db), alone), alone)).toBeUndefined()
  })

  it('keeps the previous key for letter codes printed before their sealed copies were kept', async () => {
    const alone = cryptoWith(keyB)
    db.$client
      .prepare(
        'update notifications set letter_code_sealed = null where id = (select min(id) from notifications)',
      )
      .run()
    // Such a code was digested under the key of its day, A: noted once, the first time it is seen.
    db.$client.prepare("delete from portal_meta where key = 'unsealed_printed_codes_index_key_id'").run()
    db.$client.prepare("update portal_meta set value = ? where key = 'index_key_id'").run(underA.indexKeyId)
    await indexKeyState(sqlitePortalDatabase(db), fromAtoB)
    db.$client.prepare("update portal_meta set value = ? where key = 'index_key_id'").run(fromAtoB.indexKeyId)
    const state = await indexKeyState(sqlitePortalDatabase(db), alone)
    expect(state).toMatchObject({ unsealedCodes: 1, unsealedCodesKeyId: underA.indexKeyId })
    expect(indexKeyProblem(state, alone)).toContain(underA.indexKeyId)
    expect(indexKeyProblem(await indexKeyState(sqlitePortalDatabase(db), fromAtoB), fromAtoB)).toBeUndefined()
  })
})
