/**
 * The fixed facts of the second notice (2026-03-13) that the incident page,
 * the e-mails and the exposure view share: dates as ISO strings (Japan time),
 * text only as translation keys. The day the shop reopens is not one of them:
 * the operator sets it (`RESUMPTION_DATE`), and every page reads it there.
 */

// A type only: the page's bundle takes nothing from the schema.
import type { Cohort } from '~db/schema'

/** A point or span of time in the timeline. Dates are calendar dates in Japan. */
export type When =
  | { kind: 'dateTime'; at: string }
  | { kind: 'date'; date: string }
  | { kind: 'range'; from: string; to: string }
  | { kind: 'ongoing'; from: string }

export type TimelineEntry = {
  /** Key under `timeline.entries` of the incident namespace: a list of what was done. */
  key: string
  when: When
}

export const NOTICE_DATE = '2026-03-13'
export const INCIDENT_DATE = '2026-02-10'
export const MANUAL_SHIPPING_DATE = '2026-03-05'

export const RETURNS_EMAIL = 'return@sekaimon.com'
export const SUPPORT_EMAIL = 'support@sekaimon.com'

export const timeline: readonly TimelineEntry[] = [
  { key: 'detected', when: { kind: 'dateTime', at: '2026-02-10T13:00+09:00' } },
  { key: 'stopped', when: { kind: 'dateTime', at: '2026-02-10T18:41+09:00' } },
  { key: 'cutOff', when: { kind: 'dateTime', at: '2026-02-11T11:23+09:00' } },
  { key: 'edr', when: { kind: 'date', date: '2026-02-12' } },
  { key: 'announced', when: { kind: 'date', date: '2026-02-13' } },
  { key: 'forensics', when: { kind: 'date', date: '2026-02-16' } },
  { key: 'rebuild', when: { kind: 'date', date: '2026-02-26' } },
  { key: 'reviewed', when: { kind: 'date', date: '2026-02-27' } },
  { key: 'staffNotified', when: { kind: 'range', from: '2026-03-02', to: '2026-03-03' } },
  { key: 'postcards', when: { kind: 'ongoing', from: '2026-03-03' } },
  { key: 'shipping', when: { kind: 'date', date: MANUAL_SHIPPING_DATE } },
  { key: 'finalReport', when: { kind: 'date', date: NOTICE_DATE } },
]

export type DataCategory =
  | 'name'
  | 'birthDate'
  | 'gender'
  | 'email'
  | 'phone'
  | 'address'
  | 'cardLast4Expiry'
  | 'password'
  | 'buyerId'
  | 'staffId'

/** What the notice says of one cohort. */
export type CohortFacts = {
  cohort: Cohort
  /** Key under `affected.cohorts` of the incident namespace. */
  key: 'member' | 'auctionBuyer' | 'employee' | 'warehouseStaff'
  /** The period the cohort is defined by, where the notice gives one. */
  period?: { from: string; to: string }
  categories: readonly DataCategory[]
  /** Keys under `affected.notes` shown with this cohort's data. */
  notes?: readonly ('card' | 'password')[]
}

export const cohorts: readonly CohortFacts[] = [
  {
    cohort: 'member',
    key: 'member',
    period: { from: '2007-12-04', to: INCIDENT_DATE },
    categories: ['name', 'birthDate', 'gender', 'email', 'phone', 'address', 'cardLast4Expiry', 'password'],
    notes: ['card', 'password'],
  },
  {
    cohort: 'auction_buyer',
    key: 'auctionBuyer',
    period: { from: '2018-11-19', to: INCIDENT_DATE },
    categories: ['name', 'phone', 'address', 'buyerId'],
  },
  { cohort: 'employee', key: 'employee', categories: ['name', 'email', 'password', 'phone'] },
  { cohort: 'warehouse_staff', key: 'warehouseStaff', categories: ['staffId', 'name'] },
]

/** The page's sections in order: their element ids, which are also their keys in the namespace. */
export const sectionIds = [
  'affected',
  'advice',
  'timeline',
  'cause',
  'resumption',
  'returns',
  'contact',
  'about',
] as const

export type SectionId = (typeof sectionIds)[number]
