import { dateFormat, japanDate } from '~/i18n/date-format'
import type { PortalDatabase } from '~db/database'
import { countNotices, countPeopleByCohort, countSteps, readDailyProgress } from '~db/portal-progress'
import { MESSAGE_CHANNELS } from '~db/schema'
import { peopleVersion } from '~db/subjects'
import { type CumulativeDay, PROGRESS_SERIES, progressChart } from './progress-chart.server'

/**
 * What the console's home shows every staff member: how many people the
 * breach touched, how they were told, and how far they have got since, with
 * a chart of the days since the first notice and the same figures as a table.
 */

const DAY_MS = 24 * 60 * 60 * 1000
const JAPAN_OFFSET_MS = 9 * 60 * 60 * 1000
// More days than this and the chart and table show only the most recent ones (over two years).
const MAX_DAYS = 800

const todayInJapan = (now: number) => Math.floor((now + JAPAN_OFFSET_MS) / DAY_MS)
const dayStart = (day: number) => day * DAY_MS - JAPAN_OFFSET_MS

export async function staffDashboard({
  db,
  language,
  now = Date.now(),
}: {
  db: PortalDatabase
  language: string
  now?: number
}) {
  const { cohorts, humans } = await peopleByCohort(db, now)
  const notices = await countNotices(db)
  const steps = await countSteps(db)
  const channels = MESSAGE_CHANNELS.map((channel) => ({
    channel,
    notified: notices.notified[channel],
    // A postcard or handout counts as delivered once its printer file is in place; only e-mail
    // hears back from the other end.
    delivered: channel === 'email' ? notices.emailsSent : notices.notified[channel],
    failed: channel === 'email' ? notices.emailsFailed : null,
  }))
  const notifiedTotal = channels.reduce((sum, row) => sum + row.notified, 0)
  return {
    cohorts,
    humans,
    channels,
    notifiedTotal,
    steps,
    progress: await dailyProgress({ db, language, now }),
  }
}

export type StaffDashboard = Awaited<ReturnType<typeof staffDashboard>>

type PeopleCount = Awaited<ReturnType<typeof countPeopleByCohort>>
const peopleCounts = new WeakMap<object, { version: string; at: number; counts: PeopleCount }>()
// A backstop only: the version changes with every import, the one writer of subjects.
const PEOPLE_COUNT_MAX_AGE_MS = 10 * 60 * 1000

/**
 * People per cohort read every subject (over half a second at a million on
 * a small machine, and the console's home asks at every load), yet change
 * only when an import runs: kept per process until the people version moves.
 */
async function peopleByCohort(db: PortalDatabase, now: number): Promise<PeopleCount> {
  const version = await peopleVersion(db)
  const cached = peopleCounts.get(db.$runner)
  if (cached && cached.version === version && now - cached.at < PEOPLE_COUNT_MAX_AGE_MS) return cached.counts
  const counts = await countPeopleByCohort(db)
  peopleCounts.set(db.$runner, { version, at: now, counts })
  return counts
}

/**
 * Every Japan day from the first notice to today (or to the last step taken,
 * should a clock have run ahead), each step added up to that day. Nothing
 * before the first notice: steps cannot precede it, and a demo or test
 * database's stray earlier rows would only stretch the axis.
 */
async function dailyProgress({ db, language, now }: { db: PortalDatabase; language: string; now: number }) {
  const daily = await readDailyProgress(db)
  const first = daily.find((day) => day.notified > 0)?.day
  if (first === undefined) return null
  const last = Math.max(todayInJapan(now), daily.at(-1)?.day ?? first)
  const from = Math.max(first, last - MAX_DAYS + 1)
  const byDay = new Map(daily.map((day) => [day.day, day]))
  const totals = { notified: 0, checked: 0, passwordReset: 0, ready: 0 }
  // What happened before the window still counts in its first day's totals.
  for (const day of daily) {
    if (day.day >= from) break
    for (const series of PROGRESS_SERIES) totals[series] += day[series]
  }
  const days: CumulativeDay[] = []
  for (let day = from; day <= last; day++) {
    const found = byDay.get(day)
    if (found) for (const series of PROGRESS_SERIES) totals[series] += found[series]
    days.push({ day, ...totals })
  }
  const short = dateFormat(language, { month: 'short', day: 'numeric' })
  const long = dateFormat(language, { year: 'numeric', month: 'long', day: 'numeric' })
  // The axis has room for the shortest form (11/23, 23/11); the table spells the days out.
  const numeric = dateFormat(language, { month: 'numeric', day: 'numeric' })
  const chart = progressChart(days)
  return {
    from: long.format(dayStart(from)),
    to: long.format(dayStart(last)),
    rows: days.map((row) => ({
      ...row,
      date: japanDate(dayStart(row.day)),
      label: short.format(dayStart(row.day)),
    })),
    chart: {
      ...chart,
      xTicks: chart.xTicks.map((tick) => ({ ...tick, label: numeric.format(dayStart(tick.day)) })),
    },
  }
}
