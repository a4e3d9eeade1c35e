/**
 * The five exports and their columns, exactly as domain.md lists them. The value kind says how
 * --messy may rewrite a column (see messy.ts); `plain` columns are written as they are.
 */

export type ValueKind =
  | 'plain'
  | 'id'
  | 'datetime'
  | 'date'
  | 'kana'
  | 'email'
  | 'phone'
  | 'postal'
  | 'line1'
  | 'line2'
  | 'digits'

export const MEMBER_COLUMNS = {
  member_id: 'id',
  registered_at: 'datetime',
  family_name: 'plain',
  given_name: 'plain',
  family_name_kana: 'kana',
  given_name_kana: 'kana',
  birth_date: 'date',
  gender: 'plain',
  email: 'email',
  phone: 'phone',
  postal_code: 'postal',
  prefecture: 'plain',
  city: 'plain',
  address_line1: 'line1',
  address_line2: 'line2',
  password_hash: 'plain',
} as const satisfies Record<string, ValueKind>

export const CARD_COLUMNS = {
  member_id: 'id',
  card_last4: 'digits',
  card_expiry: 'digits',
} as const satisfies Record<string, ValueKind>

export const BUYER_COLUMNS = {
  buyer_id: 'id',
  family_name: 'plain',
  given_name: 'plain',
  phone: 'phone',
  postal_code: 'postal',
  prefecture: 'plain',
  city: 'plain',
  address_line1: 'line1',
  address_line2: 'line2',
  first_purchase_at: 'datetime',
  last_purchase_at: 'datetime',
} as const satisfies Record<string, ValueKind>

export const EMPLOYEE_COLUMNS = {
  employee_id: 'id',
  family_name: 'plain',
  given_name: 'plain',
  email: 'email',
  phone: 'phone',
  password_hash: 'plain',
} as const satisfies Record<string, ValueKind>

export const STAFF_COLUMNS = {
  staff_id: 'id',
  family_name: 'plain',
  given_name: 'plain',
} as const satisfies Record<string, ValueKind>

export type MemberRow = Record<keyof typeof MEMBER_COLUMNS, string>
export type CardRow = Record<keyof typeof CARD_COLUMNS, string>
export type BuyerRow = Record<keyof typeof BUYER_COLUMNS, string>
export type EmployeeRow = Record<keyof typeof EMPLOYEE_COLUMNS, string>
export type StaffRow = Record<keyof typeof STAFF_COLUMNS, string>

export interface ExportFile<Row> {
  fileName: string
  columns: Record<keyof Row, ValueKind>
}

/** The row type of each export, by the short name the generator uses for it. */
export interface ExportRows {
  members: MemberRow
  cards: CardRow
  buyers: BuyerRow
  employees: EmployeeRow
  staff: StaffRow
}

export type ExportKind = keyof ExportRows

export const EXPORTS: { readonly [K in ExportKind]: ExportFile<ExportRows[K]> } = {
  members: { fileName: 'members.csv', columns: MEMBER_COLUMNS },
  cards: { fileName: 'member_cards.csv', columns: CARD_COLUMNS },
  buyers: { fileName: 'auction_buyers.csv', columns: BUYER_COLUMNS },
  employees: { fileName: 'employees.csv', columns: EMPLOYEE_COLUMNS },
  staff: { fileName: 'warehouse_staff.csv', columns: STAFF_COLUMNS },
}
