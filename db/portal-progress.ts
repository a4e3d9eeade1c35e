import { type PortalDatabase, prepared } from './client'
import { COHORTS, type Cohort, MESSAGE_CHANNELS, type MessageChannel, OUTBOX_PRIORITIES } from './schema'

/**
 * How far the notice has got, counted for the staff dashboard: people per
 * cohort, notices by channel and what became of them, and how many people
 * took each step since. "People" are humans (the ID their linked records
 * share), never records. Every query is an aggregate over an index, most of
 * them partial, so a page view costs about the same whatever has been done:
 * see `EXPLAIN QUERY PLAN` of each (tests/unit/portal-progress.test.ts).
 */

/** A Japan calendar day as a whole number: days since 1970-01-01 in Japan (+09:00, all year). */
export const JAPAN_DAY_SQL = (column: string) => `((${column} + 32400000) / 86400000)`

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
export function countPeopleByCohort(db: PortalDatabase): { cohorts: CohortCount[]; humans: number } {
  const rows = prepared<CohortCount>(
    db,
    // Grouped by (cohort, human) first, in the index's own order: no sort and no temporary B-tree.
    `select cohort, count(*) as people, sum(records) as records from (
       select cohort, human_id, count(*) as records from subjects group by cohort, human_id
     ) group by cohort`,
  ).all()
  const cohorts = COHORTS.map(
    (cohort) => rows.find((row) => row.cohort === cohort) ?? { cohort, people: 0, records: 0 },
  )
  const humans = prepared<{ humans: number }>(
    db,
    'select count(*) as humans from subjects where id = human_id',
  ).get()
  return { cohorts, humans: humans?.humans ?? 0 }
}

export function countNotices(db: PortalDatabase): NoticeCounts {
  const byChannel = prepared<{ channel: MessageChannel; people: number }>(
    db,
    `select channel, count(*) as people from notifications
     where state = 'issued' group by channel`,
  ).all()
  const notified = Object.fromEntries(
    MESSAGE_CHANNELS.map((channel) => [
      channel,
      byChannel.find((row) => row.channel === channel)?.people ?? 0,
    ]),
  ) as Record<MessageChannel, number>
  // Notices, and only notices, go out at bulk priority (db/notifications.ts), so the outbox's own
  // index (state, priority, …) counts them without a join to their messages.
  const outbox = prepared<{ state: string; emails: number }>(
    db,
    `select state, count(*) as emails from outbox_messages
     where state in ('sent', 'failed') and priority = ${OUTBOX_PRIORITIES.bulk} group by state`,
  ).all()
  const emails = (state: string) => outbox.find((row) => row.state === state)?.emails ?? 0
  return { notified, emailsSent: emails('sent'), emailsFailed: emails('failed') }
}

/**
 * When each human first proved who they are, as a subquery of (human_id, at).
 *
 * Nothing keeps a right e-mail code for good: the code's row is deleted when
 * it is used, and the verified session it opens is deleted when it ends. So
 * this reads every durable trace a proof leaves: the first use of the letter
 * code (`notifications.letter_code_used_at`); a new password or confirmed
 * details, which only a verified session can make; and a verified session
 * still on record (its row is made when the proof rotates the session; read
 * through its human index, since anonymous sessions may be many). A
 * person who checked only by e-mail code and whose session has since been
 * purged, without doing anything on their account, is thus missed: the
 * figure is a floor, which the dashboard says.
 */
const FIRST_CHECKS = `
  select human_id, min(at) as at from (
    select human_id, letter_code_used_at as at from notifications
      where letter_code_used_at is not null
    union all
    select s.human_id, m.password_changed_at from member_accounts m cross join subjects s on s.id = m.subject_id
      where m.password_changed_at is not null
    union all
    select s.human_id, m.details_confirmed_at from member_accounts m cross join subjects s on s.id = m.subject_id
      where m.details_confirmed_at is not null
    union all
    select human_id, created_at from sessions indexed by sessions_human where human_id is not null
  ) group by human_id`

/**
 * The members who took a step, once per human, with the day they took it (the
 * last time, if twice). `cross join` keeps SQLite's planner on the step's
 * partial index first (its documented way to fix the join order): left to
 * itself it walks every subject to save the grouping's sort.
 */
const memberStep = (column: 'password_changed_at' | 'details_confirmed_at' | 'ready_at') => `
  select s.human_id, max(m.${column}) as at from member_accounts m cross join subjects s on s.id = m.subject_id
  where m.${column} is not null group by s.human_id`

export function countSteps(db: PortalDatabase): StepCounts {
  const count = (subquery: string) =>
    prepared<{ people: number }>(db, `select count(*) as people from (${subquery})`).get()?.people ?? 0
  return {
    checked: count(FIRST_CHECKS),
    passwordReset: count(memberStep('password_changed_at')),
    detailsConfirmed: count(memberStep('details_confirmed_at')),
    ready: count(memberStep('ready_at')),
  }
}

/**
 * New people per step per Japan day, for the days any step happened, in day
 * order; the caller fills the quiet days and adds them up. Grouped by whole
 * days computed from the indexed times (arithmetic, not date strings).
 */
export function readDailyProgress(db: PortalDatabase): ProgressDay[] {
  const perDay = (subquery: string) =>
    prepared<{ day: number; people: number }>(
      db,
      `select ${JAPAN_DAY_SQL('at')} as day, count(*) as people from (${subquery}) group by day`,
    ).all()
  const series = {
    notified: perDay("select created_at as at from notifications where state = 'issued'"),
    checked: perDay(FIRST_CHECKS),
    passwordReset: perDay(memberStep('password_changed_at')),
    ready: perDay(memberStep('ready_at')),
  }
  const days = new Map<number, ProgressDay>()
  for (const [step, rows] of Object.entries(series) as [keyof typeof series, typeof series.notified][]) {
    for (const { day, people } of rows) {
      const entry = days.get(day) ?? { day, notified: 0, checked: 0, passwordReset: 0, ready: 0 }
      entry[step] += people
      days.set(day, entry)
    }
  }
  return [...days.values()].sort((a, b) => a.day - b.day)
}
