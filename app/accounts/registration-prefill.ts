import { displayPhone, normalisePostalCode } from '~db/normalise'
import type { SubjectRecord } from '~db/subject-record'
import { isoDateOf } from './calendar'
import { prefectureOf } from './prefectures'
import type { RegistrationDetailsForm } from './registration-fields'

/**
 * The registration details form's first values, from what is stored: the
 * exposed record, or the details as last confirmed. Shared with the browser.
 */

/** A stored record as the form's first values: `100-0001`, `1985-04-01`, `090-1234-5678`, the prefecture's name. */
export function detailsFromRecord(record: SubjectRecord): RegistrationDetailsForm {
  const postalCode = record.postalCode === undefined ? undefined : normalisePostalCode(record.postalCode)
  return {
    familyName: record.familyName ?? '',
    givenName: record.givenName ?? '',
    familyNameKana: record.familyNameKana ?? '',
    givenNameKana: record.givenNameKana ?? '',
    birthDate: isoDateOf(record.birthDate) ?? '',
    gender: record.gender === undefined ? '' : String(record.gender),
    email: record.email ?? '',
    phone: record.phone === undefined ? '' : displayPhone(record.phone),
    postalCode: postalCode ? `${postalCode.slice(0, 3)}-${postalCode.slice(3)}` : (record.postalCode ?? ''),
    prefecture: record.prefecture === undefined ? '' : (prefectureOf(record.prefecture)?.name ?? ''),
    city: record.city ?? '',
    addressLine1: record.addressLine1 ?? '',
    addressLine2: record.addressLine2 ?? '',
  }
}
