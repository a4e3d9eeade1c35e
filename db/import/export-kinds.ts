/**
 * The five files of the legacy export: how each is recognised and which
 * columns it must have. Listed in the order they are imported: members before
 * their cards, and before the buyers they are linked with.
 */
export const EXPORT_KINDS = [
  'members',
  'member_cards',
  'auction_buyers',
  'employees',
  'warehouse_staff',
] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

export const REQUIRED_COLUMNS: Record<ExportKind, readonly string[]> = {
  members: [
    'member_id',
    'registered_at',
    'family_name',
    'given_name',
    'family_name_kana',
    'given_name_kana',
    'birth_date',
    'gender',
    'email',
    'phone',
    'postal_code',
    'prefecture',
    'city',
    'address_line1',
    'address_line2',
    'password_hash',
  ],
  member_cards: ['member_id', 'card_last4', 'card_expiry'],
  auction_buyers: [
    'buyer_id',
    'family_name',
    'given_name',
    'phone',
    'postal_code',
    'prefecture',
    'city',
    'address_line1',
    'address_line2',
    'first_purchase_at',
    'last_purchase_at',
  ],
  employees: ['employee_id', 'family_name', 'given_name', 'email', 'phone', 'password_hash'],
  warehouse_staff: ['staff_id', 'family_name', 'given_name'],
}

/** `members.csv`, `members_2026-02-27.csv`, `MEMBERS.CSV` … */
export function kindFromFileName(fileName: string): ExportKind | undefined {
  const base = fileName.toLowerCase().replace(/\.csv$/, '')
  // Longest names first, so "member_cards" is not taken for "members".
  const byLength = [...EXPORT_KINDS].sort((a, b) => b.length - a.length)
  return byLength.find((kind) => base === kind || base.startsWith(`${kind}_`) || base.startsWith(`${kind}-`))
}

/** The kind whose identifying column the header has, when the file name says nothing. */
export function kindFromHeader(columns: readonly string[]): ExportKind | undefined {
  const has = (column: string) => columns.includes(column)
  if (has('card_last4')) return 'member_cards'
  if (has('member_id')) return 'members'
  if (has('buyer_id')) return 'auction_buyers'
  if (has('employee_id')) return 'employees'
  if (has('staff_id')) return 'warehouse_staff'
  return undefined
}

export function missingColumns(kind: ExportKind, columns: readonly string[]) {
  return REQUIRED_COLUMNS[kind].filter((column) => !columns.includes(column))
}

export function importOrder(kind: ExportKind) {
  return EXPORT_KINDS.indexOf(kind)
}
