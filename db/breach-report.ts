import { type PortalDatabase, prepared } from './database'
import { categoryBit, EXPOSURE_CATEGORIES, type ExposureCategory } from './exposure-categories'
import { COHORTS, type Cohort, type MessageChannel } from './schema'

/**
 * The figures a breach report to Japan's Personal Information Protection
 * Commission asks for: how many people were affected, per cohort and per
 * category of data exposed, and how many were told, by which channel and on
 * which day. Counts only; nothing here names anyone.
 */

/** People per exposed category, within one cohort or (`all`) across every cohort, each human once. */
export type AffectedCounts = {
  cohort: Cohort | 'all'
  people: number
  byCategory: Record<ExposureCategory, number>
}

export type NoticeDay = { channel: MessageChannel; day: number; people: number }

// Per human, whether any of their records held each category; then summed. The inner grouping by
// (cohort, human) follows the covering index (cohort, human_id, exposed_categories): no sort. Held
// is 1 or 0 (a `case`, not a comparison, which PostgreSQL would not sum).
const heldPerHuman = EXPOSURE_CATEGORIES.map(
  (category) =>
    `case when max(exposed_categories & ${categoryBit(category)}) > 0 then 1 else 0 end as "${category}"`,
).join(', ')
const summed = EXPOSURE_CATEGORIES.map((category) => `sum("${category}") as "${category}"`).join(', ')

type CountRow = { cohort?: Cohort; people: number } & Record<ExposureCategory, number>

function toCounts(cohort: Cohort | 'all', row: CountRow | undefined): AffectedCounts {
  return {
    cohort,
    people: row?.people ?? 0,
    byCategory: Object.fromEntries(
      EXPOSURE_CATEGORIES.map((category) => [category, row?.[category] ?? 0]),
    ) as Record<ExposureCategory, number>,
  }
}

const OVERALL = `select count(*) as people, ${summed} from (
    select human_id, ${heldPerHuman} from subjects group by human_id
  ) as per_human`
// `+human_id` keeps SQLite's planner off the human index, which would then read every record's row
// (each holds a sealed document) to save one sort of the covering index. (PostgreSQL groups by a
// column only when it is selected as it is grouped: it gets the plain form.)
const OVERALL_SQLITE = OVERALL.replace('group by human_id', 'group by +human_id')

/**
 * A human with two records in a cohort counts once there, with every category
 * either record held; one with records in two cohorts counts once in `all`.
 */
export async function countAffected(db: PortalDatabase): Promise<AffectedCounts[]> {
  const byCohort = await prepared<CountRow>(
    db,
    `select cohort, count(*) as people, ${summed} from (
       select cohort, human_id, ${heldPerHuman} from subjects group by cohort, human_id
     ) as per_human group by cohort`,
  ).all()
  const overall = await prepared<CountRow>(
    db,
    db.$runner.dialect === 'sqlite' ? OVERALL_SQLITE : OVERALL,
  ).get()
  return [
    ...COHORTS.map((cohort) =>
      toCounts(
        cohort,
        byCohort.find((row) => row.cohort === cohort),
      ),
    ),
    toCounts('all', overall),
  ]
}

/**
 * Notices issued per channel and Japan day (days since 1970-01-01 at +09:00),
 * in channel and day order, from the tallies kept as notices are issued
 * (`progressTallies` in the schema).
 */
export async function countNoticesByDay(db: PortalDatabase): Promise<NoticeDay[]> {
  return prepared<NoticeDay>(
    db,
    `select substr(series, length('notified:') + 1) as channel, day, tally as people from progress_tallies
     where series like 'notified:%' and tally != 0 order by channel, day`,
  ).all()
}
