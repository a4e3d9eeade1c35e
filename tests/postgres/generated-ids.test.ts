import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCaseNote, listCaseNotes } from '~db/case-notes'
import { prepared } from '~db/database'
import { addIdentityConfirmation, spendIdentityConfirmation } from '~db/identity-confirmations'
import { listLetterCodeUses, recordLetterCodeUse } from '~db/letter-codes'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { replaceRecoveryCodes, spendRecoveryCode } from '~db/staff-factors'
import { findStaffMemberById, insertStaffMember } from '~db/staff-members'
import { insertPasskey, listPasskeys } from '~db/staff-passkeys'
import { type MigratedPostgres, migratedPostgres } from '../support/migrated-postgres'
import { testSecrets } from '../support/secrets'

/**
 * The db/ functions that add rows to tables whose ID the database generates
 * (or that the caller names) do so on PostgreSQL too: drizzle, speaking
 * SQLite's dialect, would write NULL for a column left out, which SQLite turns
 * into the next row ID and PostgreSQL refuses.
 */

const NOW = new Date('2026-12-04T09:00:00Z')
const STAFF_ID = 'S0000000001'
const HUMAN_ID = 41

let postgres: MigratedPostgres
let crypto: PortalCrypto

beforeAll(async () => {
  postgres = await migratedPostgres('generated_ids')
  const secrets = testSecrets()
  crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  const inserted = await insertStaffMember(postgres.db, crypto, {
    id: STAFF_ID,
    email: { shown: 'Agent@Example.test', matched: 'agent@example.test' },
    name: 'An Agent',
    role: 'agent',
    enrolmentPasswordHash: '$argon2id$not-checked-here',
    enrolmentExpiresAt: new Date(NOW.getTime() + 60_000),
    now: NOW,
  })
  expect(inserted).toBe('inserted')
})

afterAll(async () => {
  await postgres?.remove()
})

/** A person with one issued notice; answers the notification's ID. */
async function notifiedHuman(humanId: number) {
  const { db } = postgres
  await prepared(
    db,
    `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
     values (?, ?, 'member', ?, 0, ?)`,
  ).run(humanId, humanId, Buffer.from(`natural-${humanId}`), Buffer.from('sealed'))
  const messageId = await prepared(
    db,
    `insert into messages (reference_index, human_id, channel, purpose)
     values (?, ?, 'postcard', 'notification') returning id`,
  ).value<number>(Buffer.from(`reference-${humanId}`), humanId)
  return Number(
    await prepared(
      db,
      `insert into notifications (human_id, channel, message_id, letter_code_index)
       values (?, 'postcard', ?, ?) returning id`,
    ).value<number>(humanId, messageId ?? null, Buffer.from(`letter-${humanId}`)),
  )
}

describe('rows with generated or chosen IDs, on PostgreSQL', () => {
  it('adds a staff member', async () => {
    const member = await findStaffMemberById(postgres.db, crypto.keyring, STAFF_ID)
    expect(member).toMatchObject({ id: STAFF_ID, name: 'An Agent', email: 'Agent@Example.test' })
  })

  it('adds recovery codes, each spent once', async () => {
    const codeHashes = [Buffer.from('code-one'), Buffer.from('code-two')]
    await replaceRecoveryCodes(postgres.db, { staffId: STAFF_ID, codeHashes, now: NOW })
    const spend = () =>
      spendRecoveryCode(postgres.db, {
        staffId: STAFF_ID,
        codeHashes: [Buffer.from('code-two'), Buffer.from('not-a-code')],
        now: NOW,
      })
    expect(await spend()).toBe(true)
    expect(await spend()).toBe(false)
    const unused = await prepared(
      postgres.db,
      'select count(*) from staff_recovery_codes where staff_id = ? and used_at is null',
    ).value<number>(STAFF_ID)
    expect(unused).toBe(1)
  })

  it('adds passkeys, listed in the order they came', async () => {
    for (const [index, credentialId] of ['Y3JlZC1vbmU', 'Y3JlZC10d28'].entries()) {
      const added = await insertPasskey(postgres.db, {
        staffId: STAFF_ID,
        credentialId,
        publicKey: new Uint8Array([1, 2, 3, index]),
        counter: 7,
        transports: ['usb', 'nfc'],
        now: NOW,
      })
      expect(added).toBe(true)
    }
    const passkeys = await listPasskeys(postgres.db, STAFF_ID)
    expect(passkeys.map((passkey) => passkey.credentialId)).toEqual(['Y3JlZC1vbmU', 'Y3JlZC10d28'])
    expect(passkeys[0]).toMatchObject({ counter: 7, transports: ['usb', 'nfc'], lastUsedAt: null })
    expect(passkeys[0]?.id).toBeLessThan(passkeys[1]?.id ?? 0)
  })

  it('adds case notes', async () => {
    const id = await addCaseNote(postgres.db, crypto.keyring, {
      humanId: HUMAN_ID,
      staffId: STAFF_ID,
      text: 'Called back; confirmed the address.',
      now: NOW,
    })
    expect(await listCaseNotes(postgres.db, crypto.keyring, HUMAN_ID)).toEqual([
      { id, staffId: STAFF_ID, at: NOW.getTime(), text: 'Called back; confirmed the address.' },
    ])
  })

  it('adds identity confirmations', async () => {
    await addIdentityConfirmation(postgres.db, crypto.keyring, {
      humanId: HUMAN_ID,
      staffId: STAFF_ID,
      reason: 'letter-lost',
      reasonText: 'The postcard went to an old address.',
      now: NOW,
    })
    const later = new Date(NOW.getTime() + 1000)
    expect(await spendIdentityConfirmation(postgres.db, { humanId: HUMAN_ID, now: later })).toBe(true)
    expect(await spendIdentityConfirmation(postgres.db, { humanId: HUMAN_ID, now: later })).toBe(false)
  })

  it('records letter code uses', async () => {
    const notificationId = await notifiedHuman(HUMAN_ID)
    await recordLetterCodeUse(postgres.db, notificationId, NOW.getTime())
    await recordLetterCodeUse(postgres.db, notificationId, NOW.getTime() + 5)
    expect(await listLetterCodeUses(postgres.db, notificationId)).toEqual([NOW, new Date(NOW.getTime() + 5)])
  })
})
