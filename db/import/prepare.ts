import type { BlindIndexer } from '../blind-index'
import { categoryBits, type ExposureCategory } from '../exposure-categories'
import { normaliseEmail, normaliseKana } from '../normalise'
import type { PortalCrypto } from '../portal-crypto'
import type { Cohort } from '../schema'
import { sealJson } from '../seal'
import {
  cardContext,
  NATURAL_ID_KINDS,
  type StoredCardValue,
  type SubjectRecord,
  subjectRecordContext,
} from '../subject-record'
import type { AuctionBuyerRow, EmployeeRow, MemberCardRow, MemberRow, WarehouseStaffRow } from './records'

/**
 * Validated rows turned into what is stored: sealed values, blind indexes and
 * the exposed categories. Pure apart from the nonces, so it can run on any
 * thread. Each row comes with the ID the import reserved for it (see
 * `reserveRowIds`), because a sealed value is bound to its row's ID.
 */

export type PreparedSubject = {
  id: number
  cohort: Cohort
  naturalIdIndex: Buffer
  emailIndex: Buffer | null
  phoneIndex: Buffer | null
  kanaBirthIndex: Buffer | null
  exposedCategories: number
  recordSealed: Buffer
  cohortFrom: number | null
  cohortUntil: number | null
}

export type PreparedCard = {
  id: number
  memberIdIndex: Buffer
  cardIndex: Buffer
  cardSealed: Buffer
}

type SubjectInput = {
  cohort: Cohort
  record: SubjectRecord
  categories: ExposureCategory[]
  cohortFrom?: number
  cohortUntil?: number
}

export type SubjectDigests = Pick<
  PreparedSubject,
  'naturalIdIndex' | 'emailIndex' | 'phoneIndex' | 'kanaBirthIndex'
>

/**
 * A subject's blind indexes from its record: the one home of what each is a
 * digest of, for the import and for an index-key rotation, which recomputes
 * them from the sealed record.
 */
export function subjectDigests(index: BlindIndexer, cohort: Cohort, record: SubjectRecord): SubjectDigests {
  const normalisedEmail = record.email ? normaliseEmail(record.email) : undefined
  const familyKana = record.familyNameKana ? normaliseKana(record.familyNameKana) : undefined
  return {
    naturalIdIndex: index(NATURAL_ID_KINDS[cohort], record.naturalId),
    emailIndex: normalisedEmail ? index('email', normalisedEmail) : null,
    phoneIndex: record.phone ? index('phone', record.phone) : null,
    kanaBirthIndex:
      familyKana && record.birthDate ? index('kana-birth', `${familyKana}|${record.birthDate}`) : null,
  }
}

/** What a stored card is found by: its member's ID with its last four digits and expiry. */
export const cardDigestOf = (index: BlindIndexer, memberId: string, card: StoredCardValue) =>
  index('card', `${memberId}|${card.last4}|${card.expiry}`)

function prepareSubject(crypto: PortalCrypto, id: number, input: SubjectInput): PreparedSubject {
  const { record } = input
  return {
    id,
    cohort: input.cohort,
    ...subjectDigests(crypto.index, input.cohort, record),
    exposedCategories: categoryBits(input.categories),
    recordSealed: sealJson({
      keyring: crypto.keyring,
      context: subjectRecordContext(id),
      value: record,
    }),
    cohortFrom: input.cohortFrom ?? null,
    cohortUntil: input.cohortUntil ?? null,
  }
}

function present(entries: [ExposureCategory, unknown][]): ExposureCategory[] {
  return entries.filter(([, value]) => value !== undefined).map(([category]) => category)
}

function nameOf(row: { family_name?: string; given_name?: string }) {
  return row.family_name ?? row.given_name
}

function addressOf(row: {
  postal_code?: string
  prefecture?: string
  city?: string
  address_line1?: string
  address_line2?: string
}) {
  return row.postal_code ?? row.prefecture ?? row.city ?? row.address_line1 ?? row.address_line2
}

export function prepareMember(crypto: PortalCrypto, row: MemberRow, id: number): PreparedSubject {
  return prepareSubject(crypto, id, {
    cohort: 'member',
    record: {
      naturalId: row.member_id,
      familyName: row.family_name,
      givenName: row.given_name,
      familyNameKana: row.family_name_kana,
      givenNameKana: row.given_name_kana,
      birthDate: row.birth_date,
      gender: row.gender,
      email: row.email,
      phone: row.phone,
      postalCode: row.postal_code,
      prefecture: row.prefecture,
      city: row.city,
      addressLine1: row.address_line1,
      addressLine2: row.address_line2,
      // Sealed with the rest of the record: one cipher per row instead of two.
      legacyPasswordHash: row.password_hash,
    },
    categories: present([
      ['name', nameOf(row)],
      ['birth_date', row.birth_date],
      ['gender', row.gender],
      ['email', row.email],
      ['phone', row.phone],
      ['address', addressOf(row)],
      ['password', row.password_hash],
    ]),
    cohortFrom: row.registered_at.epochMs,
  })
}

export function prepareAuctionBuyer(crypto: PortalCrypto, row: AuctionBuyerRow, id: number): PreparedSubject {
  return prepareSubject(crypto, id, {
    cohort: 'auction_buyer',
    record: {
      naturalId: row.buyer_id,
      familyName: row.family_name,
      givenName: row.given_name,
      phone: row.phone,
      postalCode: row.postal_code,
      prefecture: row.prefecture,
      city: row.city,
      addressLine1: row.address_line1,
      addressLine2: row.address_line2,
    },
    categories: present([
      ['name', nameOf(row)],
      ['phone', row.phone],
      ['address', addressOf(row)],
      ['buyer_id', row.buyer_id],
    ]),
    cohortFrom: row.first_purchase_at.epochMs,
    cohortUntil: row.last_purchase_at.epochMs,
  })
}

export function prepareEmployee(crypto: PortalCrypto, row: EmployeeRow, id: number): PreparedSubject {
  return prepareSubject(crypto, id, {
    cohort: 'employee',
    record: {
      naturalId: row.employee_id,
      familyName: row.family_name,
      givenName: row.given_name,
      email: row.email,
      phone: row.phone,
    },
    // The hash itself is not kept: employees have no account here to protect.
    categories: present([
      ['name', nameOf(row)],
      ['email', row.email],
      ['phone', row.phone],
      ['password', row.password_hash],
    ]),
  })
}

export function prepareWarehouseStaff(
  crypto: PortalCrypto,
  row: WarehouseStaffRow,
  id: number,
): PreparedSubject {
  return prepareSubject(crypto, id, {
    cohort: 'warehouse_staff',
    record: { naturalId: row.staff_id, familyName: row.family_name, givenName: row.given_name },
    categories: present([
      ['name', nameOf(row)],
      ['staff_id', row.staff_id],
    ]),
  })
}

export function prepareCard(crypto: PortalCrypto, row: MemberCardRow, id: number): PreparedCard {
  const memberIdIndex = crypto.index('member-id', row.member_id)
  const card = { last4: row.card_last4, expiry: row.card_expiry }
  const cardIndex = cardDigestOf(crypto.index, row.member_id, card)
  return {
    id,
    memberIdIndex,
    cardIndex,
    cardSealed: sealJson({
      keyring: crypto.keyring,
      context: cardContext(id),
      value: card,
    }),
  }
}
