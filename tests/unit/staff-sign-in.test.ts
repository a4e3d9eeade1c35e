import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { signInStaff } from '~/staff/staff-sign-in.server'
import { listAuditEntries } from '~db/audit-log'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { findStaffMemberByEmail } from '~db/staff-members'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'
import { createTestAgent } from '../support/test-staff'

const NOW = new Date('2026-12-04T09:00:00Z')
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000)
const CLIENT_IP = Buffer.alloc(16, 7)

let directory: string
let db: SqliteDatabase
let crypto: PortalCrypto
const passwords = new Map<string, string>()

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'staff-sign-in-'))
  db = openMigratedDatabase(join(directory, 'portal.db'))
  const secrets = testSecrets()
  crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  for (const email of ['expiring@example.jp', 'locking@example.jp']) {
    const created = await createTestAgent(db, crypto, { email, name: 'Test Person', now: NOW })
    passwords.set(email, created.enrolmentPassword)
  }
})

afterAll(async () => {
  closeDatabase(db)
  await stopPasswordWork()
  rmSync(directory, { recursive: true, force: true })
})

const attempt = (email: string, password: string, now: Date) =>
  signInStaff({ db: sqlitePortalDatabase(db), crypto, email, password, clientIpIndex: CLIENT_IP, now })
const lastEntry = async () => (await listAuditEntries(sqlitePortalDatabase(db), { limit: 1 })).entries[0]

describe('the staff password step', () => {
  it('accepts the enrolment password only before its expiry', async () => {
    const email = 'expiring@example.jp'
    const password = passwords.get(email) ?? ''
    expect(await attempt(email, password, later(60))).toMatchObject({ ok: true, passwordMustChange: true })
    expect(await lastEntry()).toMatchObject({ action: 'staff.sign_in', outcome: 'success' })
    expect(await attempt(email, password, later(24 * 60 + 1))).toEqual({ ok: false })
    expect(await lastEntry()).toMatchObject({
      action: 'staff.sign_in',
      outcome: 'denied',
      detail: { reason: 'enrolment_expired' },
    })
  })

  it('locks after 5 wrong passwords in a row for 15 minutes, with one staff.locked entry, then lets the right one in', async () => {
    const email = 'locking@example.jp'
    for (let i = 1; i <= 4; i++) {
      expect(await attempt(email, `wrong ${i}`, later(i))).toEqual({ ok: false })
      expect(await lastEntry()).toMatchObject({ action: 'staff.sign_in', outcome: 'failure' })
    }
    expect(await attempt(email, 'wrong 5', later(5))).toEqual({ ok: false })
    expect(await lastEntry()).toMatchObject({
      action: 'staff.locked',
      detail: { failures: 5, lockedMinutes: 15 },
    })
    expect((await lastEntry())?.clientIpIndex).toEqual(CLIENT_IP)
    expect((await findStaffMemberByEmail(sqlitePortalDatabase(db), crypto, email))?.lockedUntil).toEqual(
      later(20),
    )

    const right = passwords.get(email) ?? ''
    expect(await attempt(email, right, later(19))).toEqual({ ok: false })
    expect(await lastEntry()).toMatchObject({ outcome: 'denied', detail: { reason: 'locked' } })

    expect(await attempt(email, right, later(21))).toMatchObject({ ok: true })
    expect(await findStaffMemberByEmail(sqlitePortalDatabase(db), crypto, email)).toMatchObject({
      failedSignIns: 0,
      lockedUntil: null,
    })
  })

  it('records an unknown address without naming it', async () => {
    expect(await attempt('nobody@example.jp', 'anything at all', NOW)).toEqual({ ok: false })
    const entry = await lastEntry()
    expect(entry).toMatchObject({ action: 'staff.sign_in', outcome: 'failure', target: null })
    expect(JSON.stringify(entry?.detail)).not.toContain('nobody')
  })
})
