import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import {
  activeIdentityConfirmationUntil,
  addIdentityConfirmation,
  hasActiveIdentityConfirmation,
  IDENTITY_CONFIRMATION_MS,
  spendIdentityConfirmation,
} from '~db/identity-confirmations'
import { migrateDatabase } from '~db/migrate'
import { createKeyring } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { testSecrets } from '../support/secrets'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase
const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
const start = new Date(1_800_000_000_000)
const later = (ms: number) => new Date(start.getTime() + ms)

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'identity-confirmations-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

const confirm = (humanId: number) =>
  addIdentityConfirmation(db, keyring, { humanId, staffId: 'S0000000001', reason: 'letter-lost', now: start })

describe('identity confirmations', () => {
  it('are spent once, by their own human only', async () => {
    await confirm(7)
    expect(await hasActiveIdentityConfirmation(db, { humanId: 7, now: later(1000) })).toBe(true)
    expect(await spendIdentityConfirmation(db, { humanId: 8, now: later(1000) })).toBe(false)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(1000) })).toBe(true)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(2000) })).toBe(false)
    expect(await hasActiveIdentityConfirmation(db, { humanId: 7, now: later(2000) })).toBe(false)
  })

  it('expire after seven days unused', async () => {
    await confirm(7)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS) })).toBe(
      false,
    )
    expect(
      await spendIdentityConfirmation(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS - 1) }),
    ).toBe(true)
  })

  it('two confirmations give two passes, not more', async () => {
    await confirm(7)
    await confirm(7)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(1) })).toBe(true)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(2) })).toBe(true)
    expect(await spendIdentityConfirmation(db, { humanId: 7, now: later(3) })).toBe(false)
  })

  it('say until when one waits, and nothing once spent or expired', async () => {
    expect(await activeIdentityConfirmationUntil(db, { humanId: 7, now: later(1) })).toBeNull()
    await confirm(7)
    expect(await activeIdentityConfirmationUntil(db, { humanId: 7, now: later(1) })).toEqual(
      later(IDENTITY_CONFIRMATION_MS),
    )
    expect(await activeIdentityConfirmationUntil(db, { humanId: 8, now: later(1) })).toBeNull()
    expect(
      await activeIdentityConfirmationUntil(db, { humanId: 7, now: later(IDENTITY_CONFIRMATION_MS) }),
    ).toBeNull()
    await spendIdentityConfirmation(db, { humanId: 7, now: later(2) })
    expect(await activeIdentityConfirmationUntil(db, { humanId: 7, now: later(3) })).toBeNull()
  })
})
