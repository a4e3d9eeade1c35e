import { type PortalDatabase, prepared } from './database'
import { COHORTS, type Cohort, MESSAGE_CHANNELS, type MessageChannel } from './schema'

/**
 * How far the notice has got, for the staff dashboard: people per cohort,
 * notices by channel and what became of them, and how many people took each
 * step since. "People" are humans (the ID their linked records share), never
 * records. Everything but people per cohort is read from the tallies the
 * database keeps as things happen (`progressTallies` in the schema), a few
 * rows per day, so a view costs the same at a million notices as at ten.
 * Days are Japan calendar days: days since 1970-01-01 at +09:00, all year.
 */

export type CohortCount = { cohort: Cohort; people: number; records: number }

export type NoticeCounts = {
  /** Notices issued (a postcard or handout once its file is in place), per channel: one per person. */
  notified: Record<MessageChannel, number>
  /** Notice e-mails the mail server accepted. */
  emailsSent: number
  /** Notice e-mails the mail server refused for good (a 5xx reply). */
  emailsFailed: number
}

export type StepCounts = {
  checked: number
  passwordReset: number
  detailsConfirmed: number
  ready: number
}

/** One Japan day's new people per step (not cumulative). */
export type ProgressDay = {
  day: number
  notified: number
  checked: number
  passwordReset: number
  ready: number
}

/**
 * Records and people per cohort. A human with records in two cohorts counts
 * in both, once each; `humans` counts everyone once (each human's ID is the
 * ID of one of their records).
 */
export async function countPeopleByCohort(
  db: PortalDatabase,
): Promise<{ cohorts: CohortCount[]; humans: number }> {
  const rows = await prepared<CohortCount>(
    db,
    // Grouped by (cohort, human) first, in the index's own order: no sort and no temporary B-tree.
    `select cohort, count(*) as people, sum(records) as records from (
       select cohort, human_id, count(*) as records from subjects group by cohort, human_id
     ) as per_human group by cohort`,
  ).all()
  const cohorts = COHORTS.map(
    (cohort) => rows.find((row) => row.cohort === cohort) ?? { cohort, people: 0, records: 0 },
  )
  const humans = await prepared<{ humans: number }>(
    db,
    'select count(*) as humans from subjects where id = human_id',
  ).get()
  return { cohorts, humans: humans?.humans ?? 0 }
}

/** Every day's tallies of every series, in day order. */
function tallies(db: PortalDatabase) {
  return prepared<{ series: string; day: number; tally: number }>(
    db,
    'select series, day, tally from progress_tallies where tally != 0 order by day',
  ).all()
}

async function totals(db: PortalDatabase) {
  const rows = await prepared<{ series: string; total: number }>(
    db,
    'select series, sum(tally) as total from progress_tallies group by series',
  ).all()
  return (series: string) => rows.find((row) => row.series === series)?.total ?? 0
}

export async function countNotices(db: PortalDatabase): Promise<NoticeCounts> {
  const total = await totals(db)
  const notified = Object.fromEntries(
    MESSAGE_CHANNELS.map((channel) => [channel, total(`notified:${channel}`)]),
  ) as Record<MessageChannel, number>
  return {
    notified,
    emailsSent: total('notice_email:sent'),
    emailsFailed: total('notice_email:failed'),
  }
}

/**
 * People who took each step, each once: proved who they are (their letter
 * code's first use, a verified session, a new password or confirmed
 * details, whichever came first), set a new password, confirmed their
 * details, and are ready now. Counted as they happen since the tallies
 * began; what happened before was counted then from what was left of it (a
 * verified session already purged left nothing, so that part is a floor).
 */
export async function countSteps(db: PortalDatabase): Promise<StepCounts> {
  const total = await totals(db)
  return {
    checked: total('checked'),
    passwordReset: total('password_reset'),
    detailsConfirmed: total('details_confirmed'),
    ready: total('ready'),
  }
}

const DAILY_SERIES: Record<string, keyof Omit<ProgressDay, 'day'>> = {
  'notified:email': 'notified',
  'notified:postcard': 'notified',
  'notified:handout': 'notified',
  checked: 'checked',
  password_reset: 'passwordReset',
  ready: 'ready',
}

/**
 * New people per step per Japan day (each person on their first day of it),
 * for the days any step happened, in day order; the caller fills the quiet
 * days and adds them up.
 */
export async function readDailyProgress(db: PortalDatabase): Promise<ProgressDay[]> {
  const days = new Map<number, ProgressDay>()
  for (const { series, day, tally } of await tallies(db)) {
    const step = DAILY_SERIES[series]
    if (!step) continue
    const entry = days.get(day) ?? { day, notified: 0, checked: 0, passwordReset: 0, ready: 0 }
    entry[step] += tally
    days.set(day, entry)
  }
  return [...days.values()]
}
