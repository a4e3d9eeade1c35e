import type { BlindIndexKind } from './blind-index'
import type { GenderCode } from './normalise'
import type { Cohort } from './schema'

/** Which blind-index kind each cohort's natural ID is digested as. */
export const NATURAL_ID_KINDS = {
  member: 'member-id',
  auction_buyer: 'buyer-id',
  employee: 'employee-id',
  warehouse_staff: 'staff-id',
} as const satisfies Record<Cohort, BlindIndexKind>

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
  /** Members only: the exposed bcrypt hash, kept to refuse that password and erased at reset. */
  legacyPasswordHash?: string
}

export type StoredCardValue = { last4: string; expiry: string }

// The associated data of each sealed value: its table, its row's ID and its field. Never a blind
// index digest: those change when the index key is rotated, and the row's ID never does.
export const subjectRecordContext = (subjectId: number) => `subjects:${subjectId}:record`

export const cardContext = (cardId: number) => `stored_cards:${cardId}:card`
