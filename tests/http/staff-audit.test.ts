import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { appendAuditEntry } from '~db/audit-log'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { Visitor } from '../support/check-visitor'
import { filledDatabase } from '../support/migrated-database'
import { portalRows } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * The supervisors' audit page against the built server: the filter form,
 * paging that keeps the filter, refusals of a bad query, and the CSV export,
 * which only a supervisor gets and which is itself audited.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const staffEn = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))
const EN = { 'Accept-Language': 'en' }

// 120 cases opened by one member on 10 February (Japan time), 5 notes by another on the 12th.
const OPENER = 'S00000000A1'
const NOTER = 'S00000000B2'
const FEB_10 = Date.parse('2026-02-10T09:00:00+09:00')
const FEB_12 = Date.parse('2026-02-12T23:59:00+09:00')

let directory: string
let databasePath: string
let portal: PortalServer
let supervisor: Visitor
let agent: Visitor

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-audit-', async (sqlite) => {
    const db = sqlitePortalDatabase(sqlite)
    await ensureDemoStaff({ db, crypto })
    for (let i = 0; i < 120; i++) {
      await appendAuditEntry(
        db,
        {
          actor: { kind: 'staff', id: OPENER },
          action: 'case.opened',
          target: { kind: 'case', id: (i % 3) + 1 },
          outcome: 'success',
        },
        { now: FEB_10 + i * 1000 },
      )
    }
    for (let i = 0; i < 5; i++) {
      await appendAuditEntry(
        db,
        {
          actor: { kind: 'staff', id: NOTER },
          action: 'case.note_added',
          target: { kind: 'case', id: 7 },
          outcome: 'success',
          clientIpIndex: Buffer.alloc(32, i),
          detail: { fields: ['note'] },
        },
        { now: FEB_12 + i },
      )
    }
  }))
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  ;[{ visitor: supervisor }, { visitor: agent }] = await enrolDemoStaff(portal, [DEMO_SUPERVISOR, DEMO_AGENT])
}, 150_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

const count = (html: string, text: string) => html.split(text).length - 1
const actionCells = (html: string, action: string) => count(html, `<code>${action}</code>`)
const rowCount = (html: string) => count(html, '<time dateTime=')
/** A link's target on the page, by its text, as a browser would follow it. */
function linkTo(html: string, text: string) {
  const match = new RegExp(`<a [^>]*href="([^"]*)"[^>]*>${text}</a>`).exec(html)
  return match?.[1]?.replaceAll('&amp;', '&')
}

function auditRows(sql: string) {
  return portalRows<Record<string, unknown>>(portal.databaseUrl, sql)
}

describe('the audit page', { timeout: 60_000 }, () => {
  it('narrows the list by actor, action, target and Japan-time days', async () => {
    const byNoter = await supervisor.get(`/staff/audit?actor=${NOTER}`, EN)
    expect(byNoter.status).toBe(200)
    expect(actionCells(byNoter.body, 'case.note_added')).toBe(5)
    expect(actionCells(byNoter.body, 'case.opened')).toBe(0)
    expect(byNoter.body).toContain(`value="${NOTER}"`)
    expect(byNoter.body).toContain(staffEn.audit.actions.case.note_added)

    const byTarget = await supervisor.get('/staff/audit?target=case%3A7&action=case.note_added', EN)
    expect(rowCount(byTarget.body)).toBe(5)
    // 23:59 on the 12th in Japan is still the 12th: the "to" day is included to its end.
    const byDay = await supervisor.get('/staff/audit?from=2026-02-12&to=2026-02-12', EN)
    expect(actionCells(byDay.body, 'case.note_added')).toBe(5)
    expect(rowCount(byDay.body)).toBe(5)
    const dayBefore = await supervisor.get('/staff/audit?from=2026-02-11&to=2026-02-11', EN)
    expect(rowCount(dayBefore.body)).toBe(0)
    expect(dayBefore.body).toContain(staffEn.audit.emptyFiltered)
    expect(dayBefore.body).toContain(staffEn.audit.widen)
  })

  it('pages 50 at a time, older and newer, and every link keeps the filter', async () => {
    const first = await supervisor.get(`/staff/audit?actor=${OPENER}&action=case.opened`, EN)
    expect(rowCount(first.body)).toBe(50)
    expect(linkTo(first.body, staffEn.audit.paging.newer)).toBeUndefined()
    const older = linkTo(first.body, staffEn.audit.paging.older)
    expect(older).toMatch(new RegExp(`^/staff/audit\\?actor=${OPENER}&action=case.opened&before=\\d+$`))

    const second = await supervisor.get(older ?? '', EN)
    expect(rowCount(second.body)).toBe(50)
    const third = await supervisor.get(linkTo(second.body, staffEn.audit.paging.older) ?? '', EN)
    expect(rowCount(third.body)).toBe(20)
    expect(linkTo(third.body, staffEn.audit.paging.older)).toBeUndefined()

    const newer = linkTo(third.body, staffEn.audit.paging.newer)
    expect(newer).toMatch(new RegExp(`^/staff/audit\\?actor=${OPENER}&action=case.opened&after=\\d+$`))
    const backToSecond = await supervisor.get(newer ?? '', EN)
    expect(rowCount(backToSecond.body)).toBe(50)
    expect(backToSecond.body.match(/<time dateTime="[^"]+">/g)).toEqual(
      second.body.match(/<time dateTime="[^"]+">/g),
    )
    expect(linkTo(backToSecond.body, staffEn.audit.paging.newest)).toBe(
      `/staff/audit?actor=${OPENER}&action=case.opened`,
    )
  })

  it('answers a query it cannot read with 400, saying why next to each field and keeping what was typed', async () => {
    const page = await supervisor.get('/staff/audit?actor=alice%40example.jp&from=2026-02-30&action=drop', EN)
    expect(page.status).toBe(400)
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.body).toContain(staffEn.audit.errors.summary)
    expect(page.body).toContain(staffEn.audit.errors.actor)
    expect(page.body).toContain(staffEn.audit.errors.date)
    expect(page.body).toContain(staffEn.audit.errors.action)
    expect(page.body).toContain('value="alice@example.jp"')
    expect(page.body).toContain('aria-invalid="true"')
    expect(rowCount(page.body)).toBe(0)

    const reversed = await supervisor.get('/staff/audit?from=2026-02-12&to=2026-02-10', EN)
    expect(reversed.status).toBe(400)
    expect(reversed.body).toContain(staffEn.audit.errors.range)
    const huge = await supervisor.get(`/staff/audit?actor=${'9'.repeat(4000)}&before=${'1'.repeat(400)}`, EN)
    expect(huge.status).toBe(400)
    expect(huge.body).toContain(staffEn.audit.errors.page)

    const japanese = await supervisor.get('/staff/audit?target=nobody', { 'Accept-Language': 'ja' })
    expect(japanese.status).toBe(400)
    const staffJa = JSON.parse(readFileSync(new URL('../../locales/ja/staff.json', import.meta.url), 'utf8'))
    expect(japanese.body).toContain(staffJa.audit.errors.target)
  })
})

describe('the CSV export', { timeout: 60_000 }, () => {
  it('is UTF-8 with a BOM and CRLF, a header and the filtered rows, and is itself audited', async () => {
    const page = await supervisor.get(`/staff/audit?actor=${NOTER}&from=2026-02-01`, EN)
    const link = linkTo(page.body, staffEn.audit.csv.download)
    expect(link).toBe(`/staff/audit/csv?actor=${NOTER}&from=2026-02-01`)

    const response = await fetch(`${portal.url}${link}`, { headers: { Cookie: supervisor.cookieHeader() } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{8}\.csv"$/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const bytes = Buffer.from(await response.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    const lines = text.split('\r\n')
    expect(lines.at(-1)).toBe('')
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
    expect(lines[0]).toBe('sequence,time,actor,action,target,outcome,client_ip_hash,detail,entry_hash')
    const rows = parse(text, { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(5)
    expect(rows.map((row) => row.time)).toEqual(
      [4, 3, 2, 1, 0].map((ms) => `2026-02-12T23:59:00.00${ms}+09:00`),
    )
    expect(rows[0]).toMatchObject({
      actor: `staff:${NOTER}`,
      action: 'case.note_added',
      target: 'case:7',
      outcome: 'success',
      client_ip_hash: '04'.repeat(32),
      detail: '{"fields":["note"]}',
    })
    for (const row of rows) expect(row.entry_hash).toMatch(/^[0-9a-f]{64}$/)

    const [exported] = await auditRows(
      "select actor_kind, actor_id, outcome, detail, client_ip_index from audit_log where action = 'audit.exported'",
    )
    expect(exported).toMatchObject({ actor_kind: 'staff', outcome: 'success' })
    expect(exported?.actor_id).toMatch(/^S[0-9A-Z]{10}$/)
    expect(exported?.client_ip_index).toBeInstanceOf(Buffer)
    // The filter's field names and the count, never what was searched for.
    expect(JSON.parse(String(exported?.detail))).toEqual({
      capped: false,
      filters: ['actor', 'from'],
      rows: 5,
    })
    expect(String(exported?.detail)).not.toContain(NOTER)
  })

  it('sends a bad query back to the page, which says what to correct', async () => {
    const response = await supervisor.get('/staff/audit/csv?actor=alice%40example.jp', EN)
    expect(response.status).toBe(302)
    expect(response.location).toBe('/staff/audit?actor=alice%40example.jp')
  })
})

describe('who may see the audit', { timeout: 60_000 }, () => {
  it('answers an agent with 403 on the page, sends the export there, and records no export', async () => {
    const before = await auditRows("select count(*) as n from audit_log where action = 'audit.exported'")
    const page = await agent.get('/staff/audit?action=case.opened', EN)
    expect(page.status).toBe(403)
    expect(page.body).toContain(staffEn.forbidden.title)
    const csv = await agent.get('/staff/audit/csv', EN)
    // A download cannot show a page: the agent is sent to the log's, which answers 403 and says why.
    expect(csv.status).toBe(302)
    expect(csv.location).toBe('/staff/audit')
    expect(csv.body).not.toContain('sequence,time')
    expect(await auditRows("select count(*) as n from audit_log where action = 'audit.exported'")).toEqual(
      before,
    )
  })

  it('sends a visitor without a staff session to the sign-in page', async () => {
    const anonymous = new Visitor(portal.url)
    for (const path of ['/staff/audit?action=case.opened', '/staff/audit/csv']) {
      const response = await anonymous.get(path)
      expect(response.status, path).toBe(302)
      expect(response.location, path).toBe('/staff/login')
    }
  })
})
