import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { japanDayEnd, japanDayStart, japanIsoTime } from '~/i18n/date-format'
import { readAuditQuery } from '~/staff/staff-audit-filter.server'
import type { AuditEntryInput } from '~db/audit-entry'
import { appendAuditEntry, listAuditEntries } from '~db/audit-log'
import { countAuditEntries, readAuditEntries } from '~db/audit-log-query'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { collect } from '../support/collect'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase

const HOUR = 3_600_000
const staff = (n: number) => `S${String(n).padStart(10, '0')}`
const sequences = (entries: { sequence: number }[]) => entries.map((entry) => entry.sequence)

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'audit-query-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
  // 1–12: staff 1 and 2 open cases 1–3 alternately, an hour apart; 13: a command creates staff 3.
  for (let i = 0; i < 12; i++) {
    const entry: AuditEntryInput = {
      actor: { kind: 'staff', id: staff((i % 2) + 1) },
      action: 'case.opened',
      target: { kind: 'case', id: (i % 3) + 1 },
      outcome: 'success',
    }
    await appendAuditEntry(db, entry, { now: i * HOUR })
  }
  await appendAuditEntry(
    db,
    {
      actor: { kind: 'system', id: 'staff:command' },
      action: 'staff.created',
      target: { kind: 'staff', id: staff(3) },
      outcome: 'success',
    },
    { now: 12 * HOUR },
  )
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

describe('listAuditEntries with kinds and both directions', () => {
  it('filters by a kind of actor or target alone', async () => {
    expect(
      sequences((await listAuditEntries(db, { filter: { actor: { kind: 'system' } } })).entries),
    ).toEqual([13])
    expect(
      sequences((await listAuditEntries(db, { filter: { target: { kind: 'staff' } } })).entries),
    ).toEqual([13])
    expect((await listAuditEntries(db, { filter: { target: { kind: 'case' } } })).entries).toHaveLength(12)
    expect((await listAuditEntries(db, { filter: { actor: { kind: 'customer' } } })).entries).toEqual([])
  })

  it('pages older and newer by sequence, keeping the filter, with no link past either end', async () => {
    const filter = { actor: { kind: 'staff' as const, id: staff(1) } }
    // Staff 1's entries: 1, 3, 5, 7, 9, 11.
    const first = await listAuditEntries(db, { filter, limit: 2 })
    expect(sequences(first.entries)).toEqual([11, 9])
    expect(first.newerAfter).toBeNull()
    expect(first.nextBefore).toBe(9)
    const second = await listAuditEntries(db, { filter, limit: 2, before: 9 })
    expect(sequences(second.entries)).toEqual([7, 5])
    expect(second.newerAfter).toBe(7)
    const last = await listAuditEntries(db, { filter, limit: 2, before: second.nextBefore ?? 0 })
    expect(sequences(last.entries)).toEqual([3, 1])
    expect(last.nextBefore).toBeNull()
    // Back up from the last page: the same pages, newest first, the links as before.
    const backToSecond = await listAuditEntries(db, { filter, limit: 2, after: last.newerAfter ?? 0 })
    expect(backToSecond).toEqual(second)
    const backToFirst = await listAuditEntries(db, { filter, limit: 2, after: backToSecond.newerAfter ?? 0 })
    expect(sequences(backToFirst.entries)).toEqual([11, 9])
    expect(backToFirst.newerAfter).toBeNull()
    expect(backToFirst.nextBefore).toBe(9)
  })

  it('gives an empty page for a stale cursor, linking back to what exists', async () => {
    const beyond = await listAuditEntries(db, { after: 13 })
    expect(beyond.entries).toEqual([])
    expect(beyond.nextBefore).toBe(14)
    const below = await listAuditEntries(db, { before: 1 })
    expect(below.entries).toEqual([])
    expect(below.newerAfter).toBe(0)
  })
})

describe('the export reads', () => {
  it('counts and reads only up to the bound, newest first, at most the cap, across pages', async () => {
    const filter = { action: 'case.opened' as const }
    expect(await countAuditEntries(db, { filter, upTo: 13, cap: 100 })).toBe(12)
    expect(await countAuditEntries(db, { filter, upTo: 6, cap: 100 })).toBe(6)
    expect(await countAuditEntries(db, { filter, upTo: 13, cap: 5 })).toBe(5)
    expect(
      sequences(await collect(readAuditEntries(db, { filter, upTo: 10, limit: 100, pageSize: 3 }))),
    ).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(
      sequences(await collect(readAuditEntries(db, { filter, upTo: 13, limit: 4, pageSize: 3 }))),
    ).toEqual([12, 11, 10, 9])
  })
})

describe('the audit page query', () => {
  const read = (query: string) => readAuditQuery(new URLSearchParams(query))

  it('reads actors, targets, actions and Japan-time days as the table shows them', () => {
    const query = read(
      'actor=s00000000ab&action=case.opened&target=42&from=2026-02-10&to=2026-02-10&before=99',
    )
    expect(query).toMatchObject({
      ok: true,
      before: 99,
      filter: {
        actor: { kind: 'staff', id: 'S00000000AB' },
        action: 'case.opened',
        target: { kind: 'case', id: 42 },
        from: Date.parse('2026-02-10T00:00:00+09:00'),
        until: Date.parse('2026-02-11T00:00:00+09:00'),
      },
    })
    expect(read('actor=system:staff:command&target=staff:S0000000003')).toMatchObject({
      ok: true,
      filter: {
        actor: { kind: 'system', id: 'staff:command' },
        target: { kind: 'staff', id: 'S0000000003' },
      },
    })
    expect(read('actor=customer:7')).toMatchObject({
      ok: true,
      filter: { actor: { kind: 'customer', id: 7 } },
    })
    expect(read('actor=system&target=case')).toMatchObject({
      ok: true,
      filter: { actor: { kind: 'system' }, target: { kind: 'case' } },
    })
    expect(read('actor=&action=&target=&from=&to=')).toMatchObject({ ok: true, filter: {} })
  })

  it('refuses what it cannot read with a message key per field, keeping what was typed', () => {
    const query = read(
      'actor=alice@example.jp&action=drop.table&target=S12&from=2026-02-30&to=2026-13-01&after=x',
    )
    expect(query.ok).toBe(false)
    if (query.ok) return
    expect(query.errors).toEqual({
      actor: 'audit.errors.actor',
      action: 'audit.errors.action',
      target: 'audit.errors.target',
      from: 'audit.errors.date',
      to: 'audit.errors.date',
      page: 'audit.errors.page',
    })
    expect(query.typed.actor).toBe('alice@example.jp')
    expect(read('from=2026-02-11&to=2026-02-10')).toMatchObject({
      ok: false,
      errors: { to: 'audit.errors.range' },
    })
  })

  it('refuses an over-long value before any pattern runs, showing no more than the field takes', () => {
    const started = performance.now()
    const query = read(`actor=${'a'.repeat(50_000)}&target=${'9'.repeat(50_000)}`)
    expect(performance.now() - started).toBeLessThan(200)
    expect(query).toMatchObject({
      ok: false,
      errors: { actor: 'audit.errors.actor', target: 'audit.errors.target' },
    })
    expect(query.typed.actor).toHaveLength(80)
  })
})

describe('Japan-time dates', () => {
  it('turns calendar days into Japan-time bounds and moments into ISO 8601 with +09:00', () => {
    expect(japanDayStart('2026-02-10')).toBe(Date.parse('2026-02-09T15:00:00Z'))
    expect(japanDayEnd('2026-12-31')).toBe(Date.parse('2027-01-01T00:00:00+09:00'))
    expect(japanDayStart('2026-02-29')).toBeUndefined()
    expect(japanDayStart('0050-01-01')).toBeUndefined()
    expect(japanIsoTime(Date.parse('2026-02-10T04:00:00.123Z'))).toBe('2026-02-10T13:00:00.123+09:00')
  })
})
