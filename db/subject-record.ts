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
  /** Members only: the exposed bcrypt hash, kept to refuse that password and erased at reset. */
  legacyPasswordHash?: string
}

export type StoredCardValue = { last4: string; expiry: string }

// Digests may arrive from a worker thread as plain Uint8Arrays, whose toString ignores 'hex'.
const hex = (digest: Uint8Array) =>
  Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex')

// The associated data of each sealed value: its table, its row's natural key and its field.
export const subjectRecordContext = (cohort: Cohort, naturalIdIndex: Uint8Array) =>
  `subjects:${cohort}:${hex(naturalIdIndex)}:record`

export const cardContext = (memberIdIndex: Uint8Array, cardIndex: Uint8Array) =>
  `stored_cards:${hex(memberIdIndex)}:${hex(cardIndex)}:card`
