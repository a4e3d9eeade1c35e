import { cohorts as incidentCohorts } from '~/incident/incident-facts'
import type { PortalDatabase } from '~db/database'
import type { ExposureCategory } from '~db/exposure-categories'
import { findHuman, type Human, type HumanRecord } from '~db/humans'
import { COHORTS, type Cohort } from '~db/schema'
import type { Keyring } from '~db/seal'
import { findStoredCards } from '~db/stored-cards'
import type { StoredCardValue } from '~db/subject-record'
import { maskAddress, maskBirthDate, maskCard, maskEmail, maskIdentifier, maskName, maskPhone } from './mask'

/**
 * What the exposure page shows a verified person: every record of theirs,
 * linked records together, and for each exactly the categories it held, with
 * masked values. No raw personal value ever enters the view, and no text:
 * keys only (in the `exposure` namespace), which the route translates.
 */

export type ExposureItem = {
  category: ExposureCategory
  /** What was held, masked; null where nothing is shown (gender, password, or nothing safe to show). */
  maskedValue: string | null
  /** Each value on its own where a category holds several (cards); `[maskedValue]` otherwise, `[]` for null. */
  maskedValues: string[]
  /** Key of the category's name: `categories.<category>`. */
  labelKey: string
  /** Key that presents the value: call it with `{ value }` (each of `maskedValues`), or alone where null. */
  valueKey: string
  /** Key of the advice: `advice.<category>`, with `.meaning` (what it means) and `.action` (what to do). */
  adviceKey: string
}

export type ExposureRecord = {
  cohort: Cohort
  /** Key of the cohort's texts: `cohorts.<cohort>`, with `.name`, `.idLabel` and, where it has a period, `.periodLabel`. */
  cohortKey: string
  /** The period the notice defines the cohort by (ISO dates, Japan), or null where it gives none. */
  period: { from: string; to: string } | null
  /** The record's own ID (member ID, buyer ID, employee ID, staff ID), masked. */
  maskedId: string | null
  items: ExposureItem[]
}

/** What the top of the page says at a glance, before the records in detail. */
export type ExposureSummary = {
  /** Keys of every exposed category's name, each once, in the order the records show them. */
  labelKeys: string[]
  /** Keys of the one or two things to do first (`firstSteps.<step>`), most urgent first; none where nothing is urgent. */
  firstStepKeys: string[]
}

export type ExposureView = {
  /** The human's records with at least one exposed category, members first, then as the notice lists cohorts. */
  records: ExposureRecord[]
  summary: ExposureSummary
  hasAnyExposure: boolean
  /** Leads on to the steps every member must take before the shop reopens. */
  isMember: boolean
  /** More than one record shown: they were linked as one person's. */
  linked: boolean
}

function periodOf(cohort: Cohort) {
  const period = incidentCohorts.find((entry) => entry.cohort === cohort)?.period
  return period ? { from: period.from, to: period.to } : null
}

/** Values that are never shown, only named, and the key that says why. */
const UNSHOWN_VALUE_KEY: Partial<Record<ExposureCategory, string>> = {
  gender: 'values.notShown',
  password: 'values.hashedPassword',
}

const VALUE_KEY: Partial<Record<ExposureCategory, string>> = {
  birth_date: 'values.birthYear',
}

function maskedValuesOf(
  category: ExposureCategory,
  { record }: HumanRecord,
  cards: readonly StoredCardValue[],
): (string | null)[] {
  switch (category) {
    case 'name':
      return [maskName(record)]
    case 'birth_date':
      return [maskBirthDate(record.birthDate)]
    case 'email':
      return [maskEmail(record.email)]
    case 'phone':
      return [maskPhone(record.phone)]
    case 'address':
      return [maskAddress(record)]
    case 'card':
      return cards.map(maskCard)
    case 'buyer_id':
    case 'staff_id':
      return [maskIdentifier(record.naturalId)]
    // Gender says too much for too little use; a password (even hashed) is never shown.
    case 'gender':
    case 'password':
      return []
  }
}

function itemOf(category: ExposureCategory, record: HumanRecord, cards: readonly StoredCardValue[]) {
  const maskedValues = maskedValuesOf(category, record, cards).filter((value) => value !== null)
  const maskedValue = maskedValues.length > 0 ? maskedValues.join('; ') : null
  return {
    category,
    maskedValue,
    maskedValues,
    labelKey: `categories.${category}`,
    valueKey:
      maskedValue === null
        ? (UNSHOWN_VALUE_KEY[category] ?? 'values.notShown')
        : (VALUE_KEY[category] ?? 'values.plain'),
    adviceKey: `advice.${category}`,
  } satisfies ExposureItem
}

/**
 * The things to do first, most urgent first, and the categories that call for
 * each: a password may open other sites now; a card may already be charged;
 * anything that identifies the person makes scam messages look genuine.
 * Gender alone calls for nothing.
 */
const FIRST_STEPS: readonly { step: string; categories: readonly ExposureCategory[] }[] = [
  { step: 'password', categories: ['password'] },
  { step: 'card', categories: ['card'] },
  {
    step: 'scams',
    categories: ['email', 'phone', 'address', 'name', 'birth_date', 'buyer_id', 'staff_id'],
  },
]

/** At most this many things to do first: more would no longer be "first". */
const FIRST_STEPS_SHOWN = 2

function summaryOf(records: readonly ExposureRecord[]): ExposureSummary {
  const categories = [...new Set(records.flatMap((record) => record.items.map((item) => item.category)))]
  return {
    labelKeys: categories.map((category) => `categories.${category}`),
    firstStepKeys: FIRST_STEPS.filter(({ categories: calling }) =>
      calling.some((category) => categories.includes(category)),
    )
      .slice(0, FIRST_STEPS_SHOWN)
      .map(({ step }) => `firstSteps.${step}`),
  }
}

/**
 * The view of one human. `cardsBySubject` holds the opened cards of their
 * member records (see `findStoredCards`); a human not found (undefined) gets
 * the view of someone with no exposed record.
 */
export function buildExposureView(
  human: Human | undefined,
  cardsBySubject: ReadonlyMap<number, readonly StoredCardValue[]> = new Map(),
): ExposureView {
  const all = human?.records ?? []
  const records = [...all]
    .sort((a, b) => COHORTS.indexOf(a.cohort) - COHORTS.indexOf(b.cohort) || a.subjectId - b.subjectId)
    .map(
      (record): ExposureRecord => ({
        cohort: record.cohort,
        cohortKey: `cohorts.${record.cohort}`,
        period: periodOf(record.cohort),
        maskedId: maskIdentifier(record.record.naturalId),
        items: record.categories.map((category) =>
          itemOf(category, record, cardsBySubject.get(record.subjectId) ?? []),
        ),
      }),
    )
    .filter((record) => record.items.length > 0)
  return {
    records,
    summary: summaryOf(records),
    hasAnyExposure: records.length > 0,
    isMember: all.some((record) => record.cohort === 'member'),
    linked: records.length > 1,
  }
}

/** Everything the exposure page needs for one human, from the database. */
export async function loadExposureView(
  db: PortalDatabase,
  keyring: Keyring,
  humanId: number,
): Promise<ExposureView> {
  const human = await findHuman(db, keyring, humanId)
  const cards = new Map<number, StoredCardValue[]>()
  for (const record of human?.records ?? []) {
    if (record.cohort === 'member' && record.categories.includes('card'))
      cards.set(record.subjectId, await findStoredCards(db, keyring, record.subjectId))
  }
  return buildExposureView(human, cards)
}
