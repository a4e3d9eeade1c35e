import {
  fold,
  normaliseEmail,
  normaliseGender,
  normaliseKana,
  normalisePhone,
  normalisePostalCode,
  normaliseText,
} from '~db/normalise'
import type { SubjectRecord } from '~db/subject-record'
import { isoDateOf } from './calendar'
import { prefectureOf } from './prefectures'
import { REGISTRATION_FIELDS, type RegistrationField } from './registration-fields'
import type { RegistrationDetails } from './registration-form'

/**
 * Which fields a confirmation of the registration details changed, for the
 * history kept of them (names only). Stored and typed values differ in form
 * (half-width, hyphens, hiragana) where they say the same; those are no change.
 */

type Comparable = string | number | undefined

const text = (value: Comparable) =>
  value === undefined ? undefined : normaliseText(fold(String(value))) || undefined
const kana = (value: Comparable) => {
  const folded = text(value)
  return folded === undefined ? undefined : (normaliseKana(folded) ?? folded)
}

/** Each field's value as two values are compared: a difference in form alone is no change. */
const COMPARABLE: Record<RegistrationField, (value: Comparable) => Comparable> = {
  familyName: text,
  givenName: text,
  familyNameKana: kana,
  givenNameKana: kana,
  birthDate: (value) => (value === undefined ? undefined : (isoDateOf(String(value)) ?? text(value))),
  // ISO/IEC 5218 0 is "not known": an empty record says no more.
  gender: (value) => normaliseGender(String(value ?? '')) ?? text(value),
  email: (value) => (value === undefined ? undefined : (normaliseEmail(String(value)) ?? text(value))),
  phone: (value) => (value === undefined ? undefined : (normalisePhone(String(value)) ?? text(value))),
  postalCode: (value) =>
    value === undefined ? undefined : (normalisePostalCode(String(value)) ?? text(value)),
  prefecture: (value) =>
    value === undefined ? undefined : (prefectureOf(String(value))?.name ?? text(value)),
  city: text,
  addressLine1: text,
  addressLine2: text,
}

/** The names, never the values, of the fields a confirmation changed, in the form's order. */
export function changedFields({
  before,
  after,
}: {
  before: SubjectRecord
  after: RegistrationDetails
}): RegistrationField[] {
  return REGISTRATION_FIELDS.filter((name) => {
    const compare = COMPARABLE[name]
    return compare(before[name]) !== compare(after[name])
  })
}
