import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { EXPOSURE_CATEGORIES } from '~db/exposure-categories'
import { createPortalCrypto } from '~db/portal-crypto'
import { COHORTS, MESSAGE_CHANNELS } from '~db/schema'
import type { SqlValue } from '~db/sql-store'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { Visitor } from '../support/check-visitor'
import { dashboardPopulation, FIRST_NOTICE } from '../support/dashboard-population'
import { filledDatabase } from '../support/migrated-database'
import { portalRows } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * The console's dashboard and the breach report against the built server,
 * over a generated export imported and notified by the real commands, then
 * moved along by plain SQL (notices spread over days, codes used, passwords
 * set, accounts ready, e-mails sent and refused). Every figure the page and
 * the CSV show is counted again here, in plain SQL and JavaScript over the
 * same database, never through the portal's own queries.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const staffEn = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))
const EN = { 'Accept-Language': 'en' }
const DAY = 24 * 60 * 60 * 1000
const JAPAN = 9 * 60 * 60 * 1000
const japanDay = (at: number) => new Date(at + JAPAN).toISOString().slice(0, 10)

let directory: string
let databasePath: string
let portal: PortalServer
let supervisor: Visitor
let agent: Visitor

/** Rows of the database the portal serves from (on PostgreSQL, not the file seeded before it started). */
function read<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
  return portalRows<T>(portal.databaseUrl, sql, ...params)
}

beforeAll(async () => {
  ;({ directory, databasePath } = await filledDatabase('staff-dashboard-', (db) =>
    ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto }),
  ))
  await dashboardPopulation({ directory, databasePath, secrets })

  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath } })
  ;[{ visitor: supervisor }, { visitor: agent }] = await enrolDemoStaff(portal, [DEMO_SUPERVISOR, DEMO_AGENT])
}, 180_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

// ── What the figures should be, counted without the portal's queries ─────────

type SubjectRow = { id: number; human_id: number; cohort: string; exposed_categories: number }

const subjects = () => read<SubjectRow>('select id, human_id, cohort, exposed_categories from subjects')

async function expectedPeople() {
  const rows = await subjects()
  const perCohort = Object.fromEntries(
    COHORTS.map((cohort) => {
      const mine = rows.filter((row) => row.cohort === cohort)
      return [cohort, { people: new Set(mine.map((row) => row.human_id)).size, records: mine.length }]
    }),
  )
  return { perCohort, everyone: new Set(rows.map((row) => row.human_id)).size, records: rows.length }
}

/** When each human first left a durable trace of proving who they are. */
async function firstChecks() {
  const traces = await read<{ human_id: number; at: number }>(`
    select human_id, letter_code_used_at as at from notifications where letter_code_used_at is not null
    union all select s.human_id, m.password_changed_at from member_accounts m, subjects s
      where s.id = m.subject_id and m.password_changed_at is not null
    union all select s.human_id, m.details_confirmed_at from member_accounts m, subjects s
      where s.id = m.subject_id and m.details_confirmed_at is not null
    union all select human_id, created_at from sessions where human_id is not null`)
  const first = new Map<number, number>()
  for (const { human_id, at } of traces) first.set(human_id, Math.min(at, first.get(human_id) ?? at))
  return first
}

async function memberStep(column: string) {
  const rows = await read<{ human_id: number; at: number }>(
    `select s.human_id, m.${column} as at from member_accounts m, subjects s
     where s.id = m.subject_id and m.${column} is not null`,
  )
  // A person counts on their first day of a step (the population withdraws no readiness).
  const first = new Map<number, number>()
  for (const { human_id, at } of rows) first.set(human_id, Math.min(at, first.get(human_id) ?? at))
  return first
}

// ── Reading the page ──────────────────────────────────────────────────────────

const number = (cell: string) =>
  Number(
    cell
      .replace(/<[^>]+>/g, '')
      .replaceAll(',', '')
      .trim(),
  )

/** The data cells of the table row marked `attribute="value"`. */
function rowCells(html: string, attribute: string, value: string) {
  const row = new RegExp(`<tr ${attribute}="${value}">(.*?)</tr>`).exec(html)?.[1]
  if (!row) throw new Error(`no row ${attribute}=${value}`)
  return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((match) => match[1] ?? '')
}

/** The chart's data table: each row's day and four running totals. */
function progressRows(html: string) {
  const table = /<table class="progress-table"[^>]*>(.*?)<\/table>/.exec(html)?.[1] ?? ''
  return [...table.matchAll(/<tr><th scope="row"><time dateTime="([^"]+)">.*?<\/th>(.*?)<\/tr>/g)].map(
    (match) => [
      match[1],
      ...[...(match[2] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => number(m[1] ?? '')),
    ],
  )
}

describe('the dashboard', { timeout: 60_000 }, () => {
  it('shows people per cohort, notices by channel and the steps taken, as counted from the database', async () => {
    const page = await supervisor.get('/staff', EN)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const people = await expectedPeople()
    // Linked records: some people hold more than one record.
    expect(people.everyone).toBeLessThan(people.records)
    for (const cohort of COHORTS) {
      const expected = people.perCohort[cohort]
      expect(expected?.people, cohort).toBeGreaterThan(0)
      expect(rowCells(page.body, 'data-cohort', cohort).map(number), cohort).toEqual([
        expected?.people,
        expected?.records,
      ])
    }
    expect(rowCells(page.body, 'data-cohort', 'all').map(number)).toEqual([people.everyone, people.records])

    const notified = await read<{ channel: string; n: number }>(
      "select channel, count(*) as n from notifications where state = 'issued' group by channel",
    )
    const outbox = await read<{ state: string; n: number }>(`
      select o.state, count(*) as n from outbox_messages o join messages m on m.id = o.message_id
      where m.purpose = 'notification' group by o.state`)
    const issued = (channel: string) => notified.find((row) => row.channel === channel)?.n ?? 0
    const emails = (state: string) => outbox.find((row) => row.state === state)?.n ?? 0
    for (const channel of MESSAGE_CHANNELS) expect(issued(channel), channel).toBeGreaterThan(0)
    expect(emails('failed')).toBeGreaterThan(0)
    expect(rowCells(page.body, 'data-channel', 'email').map(number)).toEqual([
      issued('email'),
      emails('sent'),
      emails('failed'),
    ])
    for (const channel of ['postcard', 'handout']) {
      const cells = rowCells(page.body, 'data-channel', channel)
      expect(cells.slice(0, 2).map(number), channel).toEqual([issued(channel), issued(channel)])
      expect(cells[2]).toBe(staffEn.dashboard.notices.notApplicable)
    }
    expect(rowCells(page.body, 'data-channel', 'all').map(number)).toEqual([
      issued('email') + issued('postcard') + issued('handout'),
      emails('sent') + issued('postcard') + issued('handout'),
      emails('failed'),
    ])

    const steps = {
      checked: (await firstChecks()).size,
      passwordReset: (await memberStep('password_changed_at')).size,
      detailsConfirmed: (await memberStep('details_confirmed_at')).size,
      ready: (await memberStep('ready_at')).size,
    }
    for (const [step, expected] of Object.entries(steps)) {
      expect(expected, step).toBeGreaterThan(0)
      expect(rowCells(page.body, 'data-step', step).map(number), step).toEqual([expected])
    }
  })

  it('draws the days since the first notice, and its table holds the same running totals', async () => {
    const page = await supervisor.get('/staff', EN)
    expect(page.body).toMatch(
      /<svg class="progress-chart"[^>]* role="img" aria-labelledby="progress-chart-title"/,
    )
    expect(page.body).toContain(`<title id="progress-chart-title">`)
    expect((page.body.match(/<g class="progress-chart__series">/g) ?? []).length).toBe(4)
    expect(page.body).toMatch(
      /<section class="progress-layout__table" aria-labelledby="progress-table-caption" tabindex="0">/,
    )
    expect(page.body).toContain(
      `<caption id="progress-table-caption">${staffEn.dashboard.progress.tableCaption}</caption>`,
    )

    const notices = await read<{ at: number }>(
      "select created_at as at from notifications where state = 'issued'",
    )
    const series = [
      new Map(notices.map(({ at }, i) => [i, at])),
      await firstChecks(),
      await memberStep('password_changed_at'),
      await memberStep('ready_at'),
    ]
    const first = japanDay(Math.min(...notices.map(({ at }) => at)))
    expect(first).toBe(japanDay(FIRST_NOTICE))
    const days: string[] = []
    for (let at = Date.parse(`${first}T00:00:00+09:00`); at <= Date.now(); at += DAY) days.push(japanDay(at))
    expect(days).toHaveLength(6)
    const expected = days.map((day) => [
      day,
      ...series.map((times) => [...times.values()].filter((at) => japanDay(at) <= day).length),
    ])
    expect(progressRows(page.body)).toEqual(expected)
    // The last day's totals are the figures above.
    const last = expected.at(-1) ?? []
    expect(last[2]).toBe((await firstChecks()).size)
  })

  it('shows an agent the same figures, without the report', async () => {
    const page = await agent.get('/staff', EN)
    expect(page.status).toBe(200)
    const people = await expectedPeople()
    expect(rowCells(page.body, 'data-cohort', 'all').map(number)).toEqual([people.everyone, people.records])
    expect(page.body).not.toContain('/staff/report.csv')
    expect(page.body).not.toContain(staffEn.report.heading)
  })
})

describe('the breach report', { timeout: 60_000 }, () => {
  const exports = () =>
    read<{ actor_id: string; detail: string; outcome: string }>(
      "select actor_id, detail, outcome from audit_log where action = 'report.exported'",
    )

  it('is UTF-8 with a BOM and CRLF, its rows counted again from the database, and audited with counts only', async () => {
    const page = await supervisor.get('/staff', EN)
    expect(page.body).toContain(`href="/staff/report.csv"`)
    const before = (await exports()).length
    const response = await fetch(`${portal.url}/staff/report.csv`, {
      headers: { Cookie: supervisor.cookieHeader() },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="breach-report-\d{8}\.csv"$/,
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    const bytes = Buffer.from(await response.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.split('\r\n')[0]).toBe('figure,cohort,category,channel,date,people')
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
    const rows = parse(text, { columns: true }) as Record<string, string>[]
    const find = (figure: string, match: Partial<Record<string, string>>) =>
      rows.filter((row) => row.figure === figure && Object.entries(match).every(([k, v]) => row[k] === v))

    const all = await subjects()
    const people = (filter: (row: SubjectRow) => boolean) =>
      new Set(all.filter(filter).map((r) => r.human_id)).size
    for (const cohort of [...COHORTS, 'all']) {
      const inCohort = (row: SubjectRow) => cohort === 'all' || row.cohort === cohort
      expect(
        find('affected', { cohort }).map((row) => Number(row.people)),
        cohort,
      ).toEqual([people(inCohort)])
      EXPOSURE_CATEGORIES.forEach((category, bit) => {
        const held = (row: SubjectRow) => inCohort(row) && (row.exposed_categories & (1 << bit)) !== 0
        expect(
          find('affected_by_category', { cohort, category }).map((row) => Number(row.people)),
          `${cohort} ${category}`,
        ).toEqual([people(held)])
      })
    }
    // A category someone held is counted: the report is not all zeros.
    expect(
      Number(find('affected_by_category', { cohort: 'all', category: 'card' })[0]?.people),
    ).toBeGreaterThan(0)

    const notices = await read<{ channel: string; at: number }>(
      "select channel, created_at as at from notifications where state = 'issued'",
    )
    for (const channel of MESSAGE_CHANNELS) {
      const mine = notices.filter((row) => row.channel === channel)
      const perDay = new Map<string, number>()
      for (const { at } of mine) perDay.set(japanDay(at), (perDay.get(japanDay(at)) ?? 0) + 1)
      expect(
        find('notified', { channel }).map((row) => [row.date, Number(row.people)]),
        channel,
      ).toEqual([...[...perDay].sort(([a], [b]) => a.localeCompare(b)), ['all', mine.length]])
    }
    expect(rows).toHaveLength(
      (COHORTS.length + 1) * (1 + EXPOSURE_CATEGORIES.length) +
        MESSAGE_CHANNELS.reduce(
          (sum, channel) =>
            sum + new Set(notices.filter((n) => n.channel === channel).map((n) => japanDay(n.at))).size + 1,
          0,
        ),
    )

    const entries = await exports()
    expect(entries).toHaveLength(before + 1)
    const entry = entries.at(-1)
    expect(entry).toMatchObject({ outcome: 'success' })
    expect(entry?.actor_id).toMatch(/^S[0-9A-Z]{10}$/)
    // The row count alone: no cohort, category, date or anyone's details.
    expect(JSON.parse(String(entry?.detail))).toEqual({ rows: rows.length })
  })

  it('sends an agent to the report page, which answers 403, and records no export', async () => {
    const before = (await exports()).length
    const csv = await agent.get('/staff/report.csv', EN)
    expect(csv.status).toBe(302)
    expect(csv.location).toBe('/staff/report')
    expect(csv.body).not.toContain('figure,cohort')
    const page = await agent.get('/staff/report', EN)
    expect(page.status).toBe(403)
    expect(page.body).toContain(staffEn.forbidden.title)
    expect(await exports()).toHaveLength(before)
  })

  it('sends a visitor without a staff session to the sign-in page', async () => {
    const anonymous = new Visitor(portal.url)
    for (const path of ['/staff', '/staff/report', '/staff/report.csv']) {
      const response = await anonymous.get(path)
      expect(response.status, path).toBe(302)
      expect(response.location, path).toBe('/staff/login')
    }
  })
})
