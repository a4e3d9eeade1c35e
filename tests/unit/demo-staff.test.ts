import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyPassword } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { DEMO_STAFF, demoStaffPresent, ensureDemoStaff } from '~/staff/demo-staff.server'
import { ENROLMENT_PASSWORD_VALID_MS } from '~/staff/enrolment-password.server'
import { listStaff } from '~/staff/staff-accounts.server'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { testSecrets } from '../support/secrets'

/** The demo database's supervisor and agent, whose enrolment passwords the README gives. */

const NOW = new Date('2026-12-04T09:00:00Z')
const hoursLater = (hours: number) => new Date(NOW.getTime() + hours * 60 * 60 * 1000)

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase
let crypto: PortalCrypto

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'demo-staff-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
  const secrets = testSecrets()
  crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

afterAll(() => stopPasswordWork())

// Created in the same millisecond: sorted by address, the order DEMO_STAFF gives them in.
const demoStaff = async () => (await listStaff({ db, crypto })).sort((a, b) => a.email.localeCompare(b.email))

describe('demo staff', () => {
  it('are one supervisor and one agent, with documented enrolment passwords of at least 15 characters', () => {
    expect(DEMO_STAFF.map(({ email, role }) => ({ email, role }))).toEqual([
      { email: 'sato.supervisor@example.jp', role: 'supervisor' },
      { email: 'suzuki.agent@example.jp', role: 'agent' },
    ])
    for (const { enrolmentPassword } of DEMO_STAFF)
      expect(enrolmentPassword.length).toBeGreaterThanOrEqual(15)
  })

  it('are created once, their enrolment passwords working for 24 hours', async () => {
    expect(await demoStaffPresent({ db, crypto })).toBe(false)
    expect(await ensureDemoStaff({ db, crypto, now: NOW })).toBe(2)
    expect(await demoStaffPresent({ db, crypto })).toBe(true)
    expect(await ensureDemoStaff({ db, crypto, now: hoursLater(1) })).toBe(0)

    const staff = await demoStaff()
    expect(staff.map(({ email, role, passwordMustChange }) => ({ email, role, passwordMustChange }))).toEqual(
      DEMO_STAFF.map(({ email, role }) => ({ email, role, passwordMustChange: true })),
    )
    for (const [index, { passwordHash }] of staff.entries()) {
      const demo = DEMO_STAFF[index]
      expect(await verifyPassword({ hash: passwordHash, password: demo?.enrolmentPassword ?? '' })).toBe(true)
    }
    expect(staff[0]?.enrolmentExpiresAt?.getTime()).toBe(NOW.getTime() + ENROLMENT_PASSWORD_VALID_MS)
  })

  it('get their enrolment renewed once it has expired, unless they set a password of their own', async () => {
    await ensureDemoStaff({ db, crypto, now: NOW })
    const [sato] = await demoStaff()
    sqlite.$client
      .prepare('update staff_members set password_must_change = 0, password_changed_at = ? where id = ?')
      .run(hoursLater(2).getTime(), sato?.id)

    expect(await ensureDemoStaff({ db, crypto, now: hoursLater(25) })).toBe(1)
    const [satoAfter, suzukiAfter] = await demoStaff()
    expect(satoAfter?.enrolmentExpiresAt?.getTime()).toBe(NOW.getTime() + ENROLMENT_PASSWORD_VALID_MS)
    expect(suzukiAfter?.enrolmentExpiresAt?.getTime()).toBe(
      hoursLater(25).getTime() + ENROLMENT_PASSWORD_VALID_MS,
    )
    expect(satoAfter?.passwordHash).toBe(sato?.passwordHash)
  })
})
