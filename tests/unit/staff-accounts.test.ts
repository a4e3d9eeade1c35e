import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyPassword } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import {
  ENROLMENT_PASSWORD_PATTERN,
  ENROLMENT_PASSWORD_VALID_MS,
  newEnrolmentPassword,
} from '~/staff/enrolment-password.server'
import {
  type CreatedStaffMember,
  createStaffMember,
  disableStaffMember,
  findStaffMember,
  listStaff,
  resetStaffMfa,
} from '~/staff/staff-accounts.server'
import type { StaffActor } from '~/staff/staff-audit.server'
import { STAFF_ID_PATTERN } from '~/staff/staff-id.server'
import { staffState } from '~/staff/staff-state'
import { listAuditEntries, readAuditChainHead } from '~db/audit-log'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { displayEmail, normaliseEmail } from '~db/normalise'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { seal } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { totpSecretContext } from '~db/staff-members'
import { testSecrets } from '../support/secrets'

/**
 * Staff accounts as the domain keeps them: enrolment passwords, the blind
 * index that finds an account, sealed e-mail and name, disabling and the
 * reset of second factors, and what each hands to the audit log.
 */

const actor: StaffActor = { kind: 'system', via: 'command' }
const NOW = new Date('2026-12-04T09:00:00Z')

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase
let crypto: PortalCrypto

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'staff-accounts-'))
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

const email = (typed: string) => ({ shown: displayEmail(typed), matched: normaliseEmail(typed) as string })

async function create(
  typed = 'Kanri.Tarou@Example.co.jp',
  name = '管理 太郎',
  role: 'agent' | 'supervisor' = 'agent',
  now = NOW,
) {
  const created = await createStaffMember({ db, crypto, actor, email: email(typed), name, role, now })
  if (!created.ok) throw new Error('expected the account to be created')
  return created as CreatedStaffMember
}

describe('enrolment passwords', () => {
  it('are four groups of four Crockford symbols, 19 characters, never the same twice', () => {
    const drawn = Array.from({ length: 200 }, () => newEnrolmentPassword())
    for (const password of drawn) {
      expect(password).toMatch(ENROLMENT_PASSWORD_PATTERN)
      expect(password).toHaveLength(19)
    }
    expect(new Set(drawn).size).toBe(drawn.length)
  })
})

describe('creating a staff account', () => {
  it('gives a random public ID and an enrolment password valid for 24 hours, stored only as argon2id', async () => {
    const created = await create()
    expect(created.id).toMatch(STAFF_ID_PATTERN)
    expect(created.enrolmentPassword).toMatch(ENROLMENT_PASSWORD_PATTERN)
    expect(created.expiresAt.getTime() - NOW.getTime()).toBe(ENROLMENT_PASSWORD_VALID_MS)
    expect(ENROLMENT_PASSWORD_VALID_MS).toBe(24 * 60 * 60 * 1000)

    const row = sqlite.$client.prepare('select * from staff_members where id = ?').get(created.id) as Record<
      string,
      unknown
    >
    expect(row.password_hash).toMatch(/^\$argon2id\$/)
    expect(row.password_hash).toBe(row.enrolment_password_hash)
    expect(JSON.stringify(row)).not.toContain(created.enrolmentPassword)
    expect(row.password_must_change).toBe(1)
    expect(row.enrolment_expires_at).toBe(NOW.getTime() + ENROLMENT_PASSWORD_VALID_MS)
    expect(
      await verifyPassword({ hash: row.password_hash as string, password: created.enrolmentPassword }),
    ).toBe(true)
  })

  it('is found by its e-mail address however it is typed, through the blind index', async () => {
    const created = await create('Kanri.Tarou@Example.co.jp')
    for (const typed of ['kanri.tarou@example.co.jp', 'ＫＡＮＲＩ．ＴＡＲＯＵ＠ＥＸＡＭＰＬＥ．ＣＯ．ＪＰ']) {
      const found = await findStaffMember({ db, crypto, email: normaliseEmail(typed) as string })
      expect(found).toMatchObject({ id: created.id, email: 'Kanri.Tarou@Example.co.jp', name: '管理 太郎' })
    }
    expect(await findStaffMember({ db, crypto, email: 'someone.else@example.co.jp' })).toBeUndefined()
    const stored = sqlite.$client.prepare('select email_index from staff_members').pluck().get() as Buffer
    expect(stored.equals(crypto.index('staff-email', 'kanri.tarou@example.co.jp'))).toBe(true)
    // A customer's index of the same address is unrelated: staff and customers cannot be matched up.
    expect(stored.equals(crypto.index('email', 'kanri.tarou@example.co.jp'))).toBe(false)
  })

  it('refuses a second account for the same address, whatever its case or role', async () => {
    await create('kanri.tarou@example.co.jp')
    const again = await createStaffMember({
      db,
      crypto,
      actor,
      email: email('KANRI.TAROU@example.co.jp'),
      name: '別人',
      role: 'supervisor',
      now: NOW,
    })
    expect(again).toMatchObject({ ok: false, reason: 'email-taken' })
    expect(again.audit).toEqual({
      actor,
      action: 'staff.created',
      target: null,
      outcome: 'refused',
      detail: { reason: 'email_taken', role: 'supervisor' },
    })
    expect(await listStaff({ db, crypto })).toHaveLength(1)
  })

  it('leaves neither the e-mail address nor the name in clear in the database file, its WAL or shared memory', async () => {
    const typed = 'Himitsu.Hanako@Example-Staff.jp'
    const name = '秘密 花子 Himitsu'
    await create(typed, name)
    const files = [`portal.db`, 'portal.db-wal', 'portal.db-shm']
      .map((file) => join(directory, file))
      .filter((path) => existsSync(path))
    expect(files.length).toBeGreaterThanOrEqual(2)
    const bytes = Buffer.concat(files.map((path) => readFileSync(path)))
    for (const needle of [
      typed,
      typed.toLowerCase(),
      'Himitsu.Hanako',
      'himitsu.hanako',
      name,
      '秘密',
      '花子',
    ])
      expect(bytes.indexOf(Buffer.from(needle, 'utf8')), needle).toBe(-1)
  })

  it('records the change for the audit log with codes only, nothing personal', async () => {
    const created = await create('kanri.tarou@example.co.jp', '管理 太郎', 'supervisor')
    expect(created.audit).toEqual({
      actor,
      action: 'staff.created',
      target: { kind: 'staff', staffId: created.id },
      outcome: 'done',
      detail: { role: 'supervisor', enrolmentValidHours: 24 },
    })
    const recorded = JSON.stringify(created.audit)
    for (const personal of ['kanri', '管理', created.enrolmentPassword])
      expect(recorded).not.toContain(personal)
  })

  it('writes one audit entry per change or refusal, in the same transaction as the change, on one chain', async () => {
    const created = await create('kanri.tarou@example.co.jp', '管理 太郎', 'supervisor')
    await createStaffMember({
      db,
      crypto,
      actor,
      email: email('kanri.tarou@example.co.jp'),
      name: '別人',
      role: 'agent',
      now: NOW,
    })
    await disableStaffMember({ db, crypto, actor, email: 'kanri.tarou@example.co.jp', now: NOW })
    await disableStaffMember({ db, crypto, actor, email: 'nobody@example.co.jp', now: NOW })
    const { entries } = await listAuditEntries(db, {})
    expect(
      entries.map(({ actor, action, target, outcome, detail }) => ({
        actor,
        action,
        target,
        outcome,
        detail,
      })),
    ).toEqual([
      {
        actor: { kind: 'system', id: 'staff:command' },
        action: 'staff.disabled',
        target: null,
        outcome: 'denied',
        detail: { reason: 'unknown_email' },
      },
      {
        actor: { kind: 'system', id: 'staff:command' },
        action: 'staff.disabled',
        target: { kind: 'staff', id: created.id },
        outcome: 'success',
        detail: { role: 'supervisor' },
      },
      {
        actor: { kind: 'system', id: 'staff:command' },
        action: 'staff.created',
        target: null,
        outcome: 'denied',
        detail: { reason: 'email_taken', role: 'agent' },
      },
      {
        actor: { kind: 'system', id: 'staff:command' },
        action: 'staff.created',
        target: { kind: 'staff', id: created.id },
        outcome: 'success',
        detail: { role: 'supervisor', enrolmentValidHours: 24 },
      },
    ])
    expect((await readAuditChainHead(db)).lastSequence).toBe(4)
  })
})

describe('listing, disabling and resetting second factors', () => {
  it('lists every account opened, oldest first, in the state it is in', async () => {
    const first = await create('a.first@example.jp', '一番 目', 'supervisor')
    const second = await create('b.second@example.jp', '二番 目', 'agent', new Date(NOW.getTime() + 1000))
    const listed = await listStaff({ db, crypto })
    expect(listed.map(({ id, email, name, role }) => ({ id, email, name, role }))).toEqual([
      { id: first.id, email: 'a.first@example.jp', name: '一番 目', role: 'supervisor' },
      { id: second.id, email: 'b.second@example.jp', name: '二番 目', role: 'agent' },
    ])
    const [member] = listed
    if (!member) throw new Error('expected an account')
    expect(staffState(member, NOW)).toBe('enrolling')
    expect(staffState(member, new Date(NOW.getTime() + ENROLMENT_PASSWORD_VALID_MS))).toBe(
      'enrolment-expired',
    )
  })

  it('disables an account once, says so the second time, and refuses an unknown address', async () => {
    const created = await create()
    const matched = 'kanri.tarou@example.co.jp'
    const first = await disableStaffMember({ db, crypto, actor, email: matched, now: NOW })
    expect(first).toMatchObject({ outcome: 'done', staffId: created.id })
    expect(first.audit).toMatchObject({
      action: 'staff.disabled',
      outcome: 'done',
      detail: { role: 'agent' },
    })
    const member = await findStaffMember({ db, crypto, email: matched })
    expect(member?.disabledAt).toEqual(NOW)
    expect(member && staffState(member, NOW)).toBe('disabled')

    const later = new Date(NOW.getTime() + 60_000)
    expect(await disableStaffMember({ db, crypto, actor, email: matched, now: later })).toMatchObject({
      outcome: 'unchanged',
      audit: { outcome: 'unchanged', detail: { reason: 'already_disabled' } },
    })
    expect((await findStaffMember({ db, crypto, email: matched }))?.disabledAt).toEqual(NOW)

    expect(await disableStaffMember({ db, crypto, actor, email: 'nobody@example.jp', now: NOW })).toEqual({
      outcome: 'unknown',
      audit: {
        actor,
        action: 'staff.disabled',
        target: null,
        outcome: 'refused',
        detail: { reason: 'unknown_email' },
      },
    })
  })

  it('removes every second factor of that account and of no other', async () => {
    const reset = await create('reset.me@example.jp')
    const other = await create('keep.me@example.jp')
    for (const { id } of [reset, other]) {
      sqlite.$client
        .prepare('update staff_members set totp_secret_sealed = ?, totp_last_step = 12345 where id = ?')
        .run(
          seal({ keyring: crypto.keyring, context: totpSecretContext(id), plaintext: 'JBSWY3DPEHPK3PXP' }),
          id,
        )
      for (let i = 0; i < 3; i++)
        sqlite.$client
          .prepare('insert into staff_recovery_codes (staff_id, code_hash) values (?, ?)')
          .run(id, crypto.index('staff-recovery-code', `${id}-${i}`))
      sqlite.$client
        .prepare('insert into staff_passkeys (staff_id, credential_id, public_key) values (?, ?, ?)')
        .run(id, Buffer.from(`credential-${id}`), Buffer.from('key'))
    }

    const result = await resetStaffMfa({ db, crypto, actor, email: 'reset.me@example.jp', now: NOW })
    expect(result).toMatchObject({
      outcome: 'done',
      staffId: reset.id,
      removed: { totp: true, recoveryCodes: 3, passkeys: 1 },
      audit: {
        action: 'staff.mfa_reset',
        target: { kind: 'staff', staffId: reset.id },
        detail: { totp: true, recoveryCodes: 3, passkeys: 1 },
      },
    })
    const factors = (id: string) =>
      sqlite.$client
        .prepare(`select totp_secret_sealed is not null as totp, totp_last_step as step,
          (select count(*) from staff_recovery_codes where staff_id = s.id) as codes,
          (select count(*) from staff_passkeys where staff_id = s.id) as passkeys
          from staff_members s where id = ?`)
        .get(id)
    expect(factors(reset.id)).toEqual({ totp: 0, step: null, codes: 0, passkeys: 0 })
    expect(factors(other.id)).toEqual({ totp: 1, step: 12345, codes: 3, passkeys: 1 })

    expect(await resetStaffMfa({ db, crypto, actor, email: 'reset.me@example.jp', now: NOW })).toMatchObject({
      outcome: 'unchanged',
      removed: { totp: false, recoveryCodes: 0, passkeys: 0 },
    })
    expect((await resetStaffMfa({ db, crypto, actor, email: 'nobody@example.jp', now: NOW })).outcome).toBe(
      'unknown',
    )
  })
})
