import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportAuditCsv } from '~/staff/staff-audit-export.server'
import { appendAuditEntry, listAuditEntries, readAuditChainHead } from '~db/audit-log'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase

const SUPERVISOR = 'S0000000009'
const ip = Buffer.alloc(32, 1)

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'audit-export-'))
  sqlite = openDatabase(join(directory, 'portal.db'))
  migrateDatabase(sqlite)
  db = sqlitePortalDatabase(sqlite)
  for (let i = 1; i <= 5; i++) {
    await appendAuditEntry(db, {
      actor: { kind: 'staff', id: 'S0000000001' },
      action: 'case.opened',
      target: { kind: 'case', id: i },
      outcome: 'success',
    })
  }
})

afterEach(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

const exportOf = (query: string, maxRows?: number) =>
  exportAuditCsv({
    db,
    url: new URL(`http://portal.test/staff/audit/csv${query}`),
    staffId: SUPERVISOR,
    clientIpIndex: ip,
    now: Date.parse('2026-02-10T23:30:00Z'),
    maxRows,
  })

async function csvOf(query: string, maxRows?: number) {
  const exported = await exportOf(query, maxRows)
  if (!exported.ok) throw new Error('export refused')
  // (Response.text() drops the BOM, as a UTF-8 decoder does; the HTTP test checks the bytes.)
  const text = await exported.response.text()
  return { exported, rows: parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[] }
}

describe('exportAuditCsv', () => {
  it('names the file by the Japan-time day and records the export with field names and a count', async () => {
    const { exported, rows } = await csvOf('?target=case:3&action=case.opened')
    expect(exported.ok && exported.response.headers.get('content-disposition')).toBe(
      'attachment; filename="audit-20260211.csv"',
    )
    expect(rows.map((row) => row.target)).toEqual(['case:3'])
    const [entry] = (await listAuditEntries(db, { filter: { action: 'audit.exported' } })).entries
    expect(entry).toMatchObject({
      actor: { kind: 'staff', id: SUPERVISOR },
      target: null,
      clientIpIndex: ip,
      detail: { filters: ['action', 'target'], rows: 1, capped: false },
    })
  })

  it('stops at the cap, newest first, and says the export was capped', async () => {
    const { rows } = await csvOf('', 3)
    expect(rows.map((row) => row.sequence)).toEqual(['5', '4', '3'])
    const [entry] = (await listAuditEntries(db, { filter: { action: 'audit.exported' } })).entries
    expect(entry?.detail).toEqual({ filters: [], rows: 3, capped: true })
  })

  it('leaves out its own entry and any appended while it streams', async () => {
    const exported = await exportOf('')
    if (!exported.ok) throw new Error('export refused')
    await appendAuditEntry(db, {
      actor: { kind: 'system', id: 'late' },
      action: 'case.searched',
      outcome: 'success',
    })
    const text = await exported.response.text()
    expect((await readAuditChainHead(db)).lastSequence).toBe(7)
    const rows = parse(text, { columns: true }) as Record<string, string>[]
    expect(rows.map((row) => row.sequence)).toEqual(['5', '4', '3', '2', '1'])
  })

  it('keeps a spreadsheet from running an edited cell as a formula', async () => {
    // An edit made around the guards (the triggers stop UPDATE and DELETE, not INSERT): what a tamperer could leave.
    sqlite.$client
      .prepare(
        `insert into audit_log (sequence, at, actor_kind, actor_id, action, outcome, detail, previous_hash, hash)
        values (6, 0, 'system', 'x', '=HYPERLINK("http://x")', 'success', '{}', x'00', x'00')`,
      )
      .run()
    sqlite.$client.prepare('update audit_chain_head set last_sequence = 6 where id = 1').run()
    const { rows } = await csvOf('')
    expect(rows[0]?.action).toBe(`'=HYPERLINK("http://x")`)
  })

  it('refuses a query it cannot read, recording nothing', async () => {
    expect(await exportOf('?actor=alice@example.jp')).toEqual({
      ok: false,
      errors: { actor: 'audit.errors.actor' },
    })
    expect((await listAuditEntries(db, { filter: { action: 'audit.exported' } })).entries).toEqual([])
  })
})
