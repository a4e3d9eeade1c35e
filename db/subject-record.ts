import type { GenderCode } from './normalise'
import type { Cohort } from './schema'

/** Everything personal about one subject, stored as one sealed JSON document. */
export type SubjectRecord = {
  naturalId: string
  familyName?: string
  givenName?: string
  familyNameKana?: string
  givenNameKana?: string
  birthDate?: string
  gender?: GenderCode
  email?: string
  phone?: string
  postalCode?: string
  prefecture?: string
  city?: string
  addressLine1?: string
  addressLine2?: string
}

export type StoredCardValue = { last4: string; expiry: string }

// The associated data of each sealed value: its table, its row's natural key and its field.
export const subjectRecordContext = (cohort: Cohort, naturalIdIndex: Buffer) =>
  `subjects:${cohort}:${naturalIdIndex.toString('hex')}:record`

export const legacyPasswordContext = (memberIdIndex: Buffer) =>
  `member_accounts:${memberIdIndex.toString('hex')}:legacy_password`

export const cardContext = (memberIdIndex: Buffer, cardIndex: Buffer) =>
  `stored_cards:${memberIdIndex.toString('hex')}:${cardIndex.toString('hex')}:card`
