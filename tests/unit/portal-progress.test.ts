import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROGRESS_SERIES, progressChart } from '~/staff/progress-chart.server'
import { countAffected, countNoticesByDay } from '~db/breach-report'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { countNotices, countPeopleByCohort, countSteps, readDailyProgress } from '~db/portal-progress'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { openMigratedDatabase } from '../support/migrated-database'

/**
 * The dashboard's and the breach report's counts must stay cheap at a million
 * people: people are counted from a covering index of subjects, never their
 * rows (each carries a sealed document), and everything else from the tallies
 * the database keeps as things happen. Checked on the plans SQLite makes for
 * them, as the portal runs (no ANALYZE statistics).
 */

let directory: string
let sqlite: SqliteDatabase
let db: PortalDatabase

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'portal-progress-'))
  sqlite = openMigratedDatabase(join(directory, 'portal.db'))
  db = sqlitePortalDatabase(sqlite)
})

afterAll(() => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
})

/** Every statement the functions prepare, with SQLite's plan for it. */
async function plansOf(run: () => Promise<void>) {
  const connection = sqlite.$client
  const prepare = connection.prepare.bind(connection)
  const statements: string[] = []
  connection.prepare = ((source: string) => {
    statements.push(source)
    return prepare(source)
  }) as typeof connection.prepare
  try {
    await run()
  } finally {
    connection.prepare = prepare
  }
  return statements.map((source) => ({
    source: source.replace(/\s+/g, ' ').trim(),
    plan: (prepare(`explain query plan ${source}`).all() as { detail: string }[]).map((row) => row.detail),
  }))
}

describe('the progress queries', () => {
  it('read an index of subjects for people, and the small tallies table for everything else', async () => {
    // Statements are cached per connection: a fresh connection's first calls prepare each of them.
    const everyone = await plansOf(async () => {
      await countPeopleByCohort(db)
      await countAffected(db)
    })
    const tallied = await plansOf(async () => {
      await countNotices(db)
      await countSteps(db)
      await readDailyProgress(db)
      await countNoticesByDay(db)
    })
    expect(everyone.length).toBeGreaterThanOrEqual(4)
    expect(tallied.length).toBeGreaterThanOrEqual(3)
    // Plans name a table by its alias where it has one, so every step on any table is checked.
    // `per_human` is no table: the rows of the per-human subquery (which PostgreSQL needs named).
    const steps = (plans: typeof everyone) =>
      plans.flatMap(({ source, plan }) =>
        plan
          .filter((step) => /^(?:SCAN|SEARCH) \w+/.test(step) && step !== 'SCAN per_human')
          .map((step) => ({ source, step })),
      )
    // Counting every person reads the whole of an index of subjects, never their rows.
    for (const { source, step } of steps(everyone))
      expect(step, source).toMatch(/^SCAN subjects USING COVERING INDEX subjects_(cohort_)?human$/)
    // Everything else reads the tallies (a few rows a day), never a table that grows with people.
    for (const { source, step } of steps(tallied))
      expect(step, source).toMatch(/^(SCAN|SEARCH) progress_tallies\b/)
  })

  it('count nothing in an empty database, every cohort and channel still listed', async () => {
    expect(await countPeopleByCohort(db)).toEqual({
      cohorts: [
        { cohort: 'member', people: 0, records: 0 },
        { cohort: 'auction_buyer', people: 0, records: 0 },
        { cohort: 'employee', people: 0, records: 0 },
        { cohort: 'warehouse_staff', people: 0, records: 0 },
      ],
      humans: 0,
    })
    expect(await countNotices(db)).toEqual({
      notified: { email: 0, postcard: 0, handout: 0 },
      emailsSent: 0,
      emailsFailed: 0,
    })
    expect(await readDailyProgress(db)).toEqual([])
    expect((await countAffected(db)).map((row) => [row.cohort, row.people])).toEqual([
      ['member', 0],
      ['auction_buyer', 0],
      ['employee', 0],
      ['warehouse_staff', 0],
      ['all', 0],
    ])
  })
})

describe('the progress chart', () => {
  const day = (n: number, values: [number, number, number, number]) => ({
    day: 20_000 + n,
    notified: values[0],
    checked: values[1],
    passwordReset: values[2],
    ready: values[3],
  })

  it('tells the series apart without colour and keeps their names apart', () => {
    const chart = progressChart([day(0, [100, 0, 0, 0]), day(1, [150, 10, 0, 0])])
    expect(chart.lines.map((line) => line.series)).toEqual([...PROGRESS_SERIES])
    expect(new Set(chart.lines.map((line) => line.dash)).size).toBe(4)
    expect(new Set(chart.lines.map((line) => line.marker.shape)).size).toBe(4)
    for (const line of chart.lines) expect(line.path).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/)
    // Two series end at 0 together: their names are moved apart, within the chart.
    const labels = chart.lines.map((line) => line.label.y).sort((a, b) => a - b)
    for (let i = 1; i < labels.length; i++)
      expect((labels[i] ?? 0) - (labels[i - 1] ?? 0)).toBeGreaterThanOrEqual(22)
    for (const y of labels) expect(y).toBeLessThanOrEqual(chart.height)
    expect(chart.yTicks.at(0)?.value).toBe(0)
    expect(chart.yTicks.at(-1)?.value).toBeGreaterThanOrEqual(150)
  })

  it('labels at most five days on the axis, however many there are', () => {
    const days = Array.from({ length: 90 }, (_, n) => day(n, [n, n, n, n]))
    const chart = progressChart(days)
    expect(chart.xTicks.length).toBeGreaterThan(1)
    expect(chart.xTicks.length).toBeLessThanOrEqual(5)
    for (const tick of chart.xTicks) expect(Number.isInteger(tick.day)).toBe(true)
  })
})
