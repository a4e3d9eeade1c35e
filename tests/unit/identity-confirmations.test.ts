import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import {
  activeIdentityConfirmationUntil,
  addIdentityConfirmation,
  hasActiveIdentityConfirmation,
  IDENTITY_CONFIRMATION_MS,
  spendIdentityConfirmation,
} from '~db/identity-confirmations'
import { migrateDatabase } from '~db/migrate'
import { createKeyring } from '~db/seal'
import { testSecrets } from '../support/secrets'

let directory: string
let db: SqliteDatabase
const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
const start = new Date(1_800_000_000_000)
const later = (ms: number) => new Date(start.getTime() + ms)

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'identity-confirmations-'))
  db = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(db)
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

const confirm = (humanId: number) =>
  addIdentityConfirmation(db, keyring, { humanId, staffId: 'S0000000001', reason: 'letter-lost', now: start })

describe('identity confirmations', () => {
  it('are spent once, by their own human only', () => {
    confirm(7)
    expect(hasActiveIdentityConfirmation(db, { humanId: 7, now: later(1000) })).toBe(true)
    expect(spendIdentityConfirmation(db, { humanId: 8, now: later(1000) })).toBe(false)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(1000) })).toBe(true)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(2000) })).toBe(false)
    expect(hasActiveIdentityConfirmation(db, { humanId: 7, now: later(2000) })).toBe(false)
  })

  it('expire after seven days unused', () => {
    confirm(7)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS) })).toBe(false)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS - 1) })).toBe(true)
  })

  it('two confirmations give two passes, not more', () => {
    confirm(7)
    confirm(7)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(1) })).toBe(true)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(2) })).toBe(true)
    expect(spendIdentityConfirmation(db, { humanId: 7, now: later(3) })).toBe(false)
  })

  it('say until when one waits, and nothing once spent or expired', () => {
    expect(activeIdentityConfirmationUntil(db, { humanId: 7, now: later(1) })).toBeNull()
    confirm(7)
    expect(activeIdentityConfirmationUntil(db, { humanId: 7, now: later(1) })).toEqual(
      later(IDENTITY_CONFIRMATION_MS),
    )
    expect(activeIdentityConfirmationUntil(db, { humanId: 8, now: later(1) })).toBeNull()
    expect(
      activeIdentityConfirmationUntil(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS) }),
    ).toBeNull()
    spendIdentityConfirmation(db, { humanId: 7, now: later(2) })
    expect(activeIdentityConfirmationUntil(db, { humanId: 7, now: later(3) })).toBeNull()
  })
})
