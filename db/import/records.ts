import { z } from 'zod'
import {
  compareMoments,
  displayEmail,
  formatIsoDate,
  type GenderCode,
  normaliseCardExpiry,
  normaliseCardLast4,
  normaliseEmail,
  normaliseGender,
  normaliseIdentifier,
  normaliseKana,
  normalisePhone,
  normalisePostalCode,
  normaliseText,
  parseLegacyDateTime,
} from '../normalise'
import type { ExportKind } from './export-kinds'

/**
 * Each export row validated and normalised by one zod schema per kind. An
 * empty field is "no value"; a value that cannot be read rejects the record
 * with the field and the reason.
 */

const MAX_TEXT = 200

type Normaliser<T> = (value: string) => T | undefined

/** A field that must be readable when present; empty means absent. */
function optional<T>(normalise: Normaliser<T>, reason: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx): T | undefined => {
      if (value === undefined || value.trim() === '') return undefined
      const normalised = normalise(value)
      if (normalised === undefined) {
        ctx.addIssue({ code: 'custom', message: reason })
        return z.NEVER
      }
      return normalised
    })
}

function required<T>(normalise: Normaliser<T>, reason: string) {
  return optional(normalise, reason).transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required value is empty' })
      return z.NEVER
    }
    return value
  })
}

const text = optional((value) => {
  const trimmed = normaliseText(value)
  return trimmed.length <= MAX_TEXT ? trimmed : undefined
}, `longer than ${MAX_TEXT} characters`)

const identifier = required(normaliseIdentifier, 'not a valid identifier')
const email = optional(
  (value) => (normaliseEmail(value) ? displayEmail(value) : undefined),
  'not an e-mail address',
)
const phone = optional(normalisePhone, 'not a Japanese phone number')
const postalCode = optional(normalisePostalCode, 'not a 7-digit postal code')
const kana = optional(normaliseKana, 'not kana')
const date = optional((value) => {
  const parsed = parseLegacyDateTime(value)
  return parsed ? formatIsoDate(parsed.date) : undefined
}, 'not a real date (YYYY-MM-DD, YYYY/MM/DD or YYYY/M/D)')
const gender = optional<GenderCode>(normaliseGender, 'not an ISO/IEC 5218 code (0, 1, 2, 9)')
const bcryptHash = optional(
  (value) => (/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value.trim()) ? value.trim() : undefined),
  'not a bcrypt hash ($2a$, $2b$ or $2y$)',
)

/** A moment inside [from, until] (Japan time), with how precisely it was written. */
function momentWithin({ from, until }: { from: string; until: string }) {
  const start = Date.parse(`${from}T00:00:00+09:00`)
  const end = Date.parse(`${until}T23:59:59.999+09:00`)
  return required((value) => {
    const parsed = parseLegacyDateTime(value)
    if (!parsed) return undefined
    return parsed.epochMs >= start && parsed.epochMs <= end ? parsed : undefined
  }, `not a real date between ${from} and ${until}`)
}

const address = {
  postal_code: postalCode,
  prefecture: text,
  city: text,
  address_line1: text,
  address_line2: text,
}

export const memberRow = z.object({
  member_id: identifier,
  registered_at: momentWithin({ from: '2007-12-04', until: '2026-02-10' }),
  family_name: text,
  given_name: text,
  family_name_kana: kana,
  given_name_kana: kana,
  birth_date: date,
  gender,
  email,
  phone,
  ...address,
  password_hash: bcryptHash,
})

export const memberCardRow = z.object({
  member_id: identifier,
  card_last4: required(normaliseCardLast4, 'not four digits'),
  card_expiry: required(normaliseCardExpiry, 'not an expiry MM/YY'),
})

const purchaseMoment = momentWithin({ from: '2018-11-19', until: '2026-02-10' })

export const auctionBuyerRow = z
  .object({
    buyer_id: identifier,
    family_name: text,
    given_name: text,
    phone,
    ...address,
    first_purchase_at: purchaseMoment,
    last_purchase_at: purchaseMoment,
  })
  .refine((row) => compareMoments(row.first_purchase_at, row.last_purchase_at) <= 0, {
    path: ['last_purchase_at'],
    message: 'earlier than first_purchase_at',
  })

export const employeeRow = z.object({
  employee_id: identifier,
  family_name: text,
  given_name: text,
  email,
  phone,
  password_hash: bcryptHash,
})

export const warehouseStaffRow = z.object({
  staff_id: identifier,
  family_name: text,
  given_name: text,
})

export const ROW_SCHEMAS = {
  members: memberRow,
  member_cards: memberCardRow,
  auction_buyers: auctionBuyerRow,
  employees: employeeRow,
  warehouse_staff: warehouseStaffRow,
} satisfies Record<ExportKind, z.ZodTypeAny>

export type MemberRow = z.output<typeof memberRow>
export type MemberCardRow = z.output<typeof memberCardRow>
export type AuctionBuyerRow = z.output<typeof auctionBuyerRow>
export type EmployeeRow = z.output<typeof employeeRow>
export type WarehouseStaffRow = z.output<typeof warehouseStaffRow>

export type RowOf<K extends ExportKind> = z.output<(typeof ROW_SCHEMAS)[K]>

export type RowProblem = { field: string; reason: string }

/** The first problem of a rejected row, for the report. */
export function firstProblem(error: z.ZodError): RowProblem {
  const issue = error.issues[0]
  return { field: String(issue?.path[0] ?? ''), reason: issue?.message ?? 'invalid' }
}
